# Sourced by ./mvnw, ./weft and .ci/run: points JAVA_HOME at a JDK 25.
# Looks at $JAVA_HOME first, then the usual JDK folders (override the list with WEFT_JDK_DIRS, e.g. in
# tests). Prints a clear message and returns 1 when none is found.
weft_java_feature() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
weft_find_jdk25() {
  local candidate
  # shellcheck disable=SC2086 # the folder list is meant to be split and globbed
  for candidate in "${JAVA_HOME:-}" ${WEFT_JDK_DIRS:-/usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/java-25-* \
      /usr/lib/jvm/jdk-25* /usr/lib/jvm/*25* /opt/java/openjdk /opt/jdk-25* /usr/local/lib/jvm/*25* \
      $HOME/.sdkman/candidates/java/25*}; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    if [ "$(weft_java_feature "$candidate")" = "25" ]; then
      JAVA_HOME=$candidate; export JAVA_HOME; return 0
    fi
  done
  echo "weft: no JDK 25 found (JAVA_HOME=${JAVA_HOME:-unset}; looked in /usr/lib/jvm, /opt, ~/.sdkman)." \
       "Install a JDK 25 (e.g. Temurin 25) or set JAVA_HOME to one." >&2
  return 1
}
