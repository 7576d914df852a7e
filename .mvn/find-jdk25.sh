# Sourced by ./mvnw, ./weft and .ci/run: points JAVA_HOME at a JDK 25.
# Order: $JAVA_HOME if it is 25, then the usual JDK folders. Fails with a clear message otherwise.
weft_java_feature() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
weft_find_jdk25() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/java-25-* /usr/lib/jvm/jdk-25* \
      /usr/lib/jvm/*25* /opt/java/openjdk /opt/jdk-25* /usr/local/lib/jvm/*25* "$HOME"/.sdkman/candidates/java/25*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    if [ "$(weft_java_feature "$candidate")" = "25" ]; then
      JAVA_HOME=$candidate; export JAVA_HOME; return 0
    fi
  done
  echo "weft: no JDK 25 found. Set JAVA_HOME to a JDK 25 (looked at \$JAVA_HOME and /usr/lib/jvm, /opt)." >&2
  return 1
}
