#!/bin/sh
# Builds the static CNI forwarder (weft-forwarder.c) into OUTPUT; run by the Maven build of module cni.
# Without gcc the build goes on with a warning: `weft install` then installs the Java launcher as the
# plugin (slower, same result). With gcc, any compile error fails the build.
# Usage: build.sh SOURCE OUTPUT
set -eu
source=$1 output=$2
if ! command -v gcc >/dev/null 2>&1; then
  echo "[WARNING] weft: gcc not found; the CNI forwarder is not built and 'weft install' will install the slower Java launcher instead." >&2
  exit 0
fi
mkdir -p "$(dirname "$output")"
gcc -static -Os -s -Wall -Wextra -Werror -o "$output.tmp" "$source"
mv -f "$output.tmp" "$output"
