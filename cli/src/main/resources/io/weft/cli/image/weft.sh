#!/bin/sh
# weft: the Weft command in its container image (/usr/local/bin/weft, the image's entrypoint), on the
# image's own Java runtime and jars. WEFT_JAVA_OPTS adds JVM options, e.g. -XX:+UseSerialGC.
# shellcheck disable=SC2086 # WEFT_JAVA_OPTS is meant to be split into words
exec /usr/lib/weft/runtime/bin/java --enable-native-access=ALL-UNNAMED $WEFT_JAVA_OPTS \
  -cp '/usr/lib/weft/lib/*' io.weft.cli.Main "$@"
