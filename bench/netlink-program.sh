#!/usr/bin/env bash
# Benchmark: program N peers' worth of overlay state (neighbour + FDB entry + route per peer, as the
# agent does for each remote node) into one VXLAN device, three ways, in one run and one namespace:
#   1. Weft's netlink library (a warm JVM; the cold first round is reported too)
#   2. one `ip`/`bridge` process per object
#   3. `ip -batch` + `bridge -batch`
# Every way starts from a freshly created weft.1 and is checked to have produced exactly N of each
# object. Writes bench/results/netlink-program.md with the times and ratios.
# Usage: sudo bench/netlink-program.sh [PEERS] [ROUNDS]     (defaults 1000 and 5)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. .mvn/find-jdk25.sh
weft_find_jdk25
peers=${1:-1000}
rounds=${2:-5}
ns=wbench-$$
work=$(mktemp -d)
result=bench/results/netlink-program.md
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "building the bench driver..." >&2
./mvnw -q -B -pl bench -am -DskipTests package >&2

# One namespace: a veth stand-in for the underlay (192.0.2.1/24) and the VXLAN device on it.
ip netns add "$ns"
ip -n "$ns" link add under0 type veth peer name under1
ip -n "$ns" addr add 192.0.2.1/24 dev under0
ip -n "$ns" link set under0 up
ip -n "$ns" link set under1 up
fresh_device() {
  ip -n "$ns" link del weft.1 2>/dev/null || true
  ip -n "$ns" link add weft.1 type vxlan id 1 dstport 8472 local 192.0.2.1 dev under0 nolearning
  ip -n "$ns" link set weft.1 up
}
count_objects() {   # prints "neighbours fdb routes" on weft.1
  local n f r
  n=$(ip -n "$ns" -4 neigh show dev weft.1 | grep -c PERMANENT || true)
  f=$(bridge -n "$ns" fdb show dev weft.1 | grep -c ' dst ' || true)
  r=$(ip -n "$ns" -4 route show dev weft.1 | grep -c onlink || true)
  echo "$n $f $r"
}
check() {
  local got; got=$(count_objects)
  if [ "$got" != "$peers $peers $peers" ]; then
    echo "$1 programmed '$got' (neighbours fdb routes), expected $peers of each" >&2; exit 1
  fi
}
now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Peer i: subnet 10.(100+i/256).(i%256).0/24, VTEP MAC 0e:00:00:00:HH:LL, underlay IP 198.18.0.0+i+2.
peer() {
  local i=$1
  subnet_net="10.$((100 + i / 256)).$((i % 256)).0"
  mac=$(printf '0e:00:00:00:%02x:%02x' $((i / 256)) $((i % 256)))
  local u=$((i + 2))
  underlay="198.$((18 + u / 65536)).$(((u / 256) % 256)).$((u % 256))"
}

# --- 2. one process per object (one round: it is slow) ---
fresh_device
: > "$work/per-object.sh"
for ((i = 0; i < peers; i++)); do
  peer "$i"
  echo "ip -n $ns neigh add $subnet_net lladdr $mac dev weft.1 nud permanent" >> "$work/per-object.sh"
  echo "bridge -n $ns fdb add $mac dev weft.1 dst $underlay self permanent" >> "$work/per-object.sh"
  echo "ip -n $ns route add $subnet_net/24 via $subnet_net dev weft.1 onlink" >> "$work/per-object.sh"
done
echo "one process per object: $((3 * peers)) processes..." >&2
start=$(now_ns)
while read -r line; do $line; done < "$work/per-object.sh"
per_object_ns=$(( $(now_ns) - start ))
check "ip per object"

# --- 3. ip -batch + bridge -batch ---
: > "$work/ip.batch"; : > "$work/bridge.batch"
for ((i = 0; i < peers; i++)); do
  peer "$i"
  echo "neigh add $subnet_net lladdr $mac dev weft.1 nud permanent" >> "$work/ip.batch"
  echo "fdb add $mac dev weft.1 dst $underlay self permanent" >> "$work/bridge.batch"
  echo "route add $subnet_net/24 via $subnet_net dev weft.1 onlink" >> "$work/ip.batch"
done
batch_times=()
for ((r = 0; r < rounds; r++)); do
  fresh_device
  start=$(now_ns)
  ip -n "$ns" -batch "$work/ip.batch"   # neighbours and routes
  bridge -n "$ns" -batch "$work/bridge.batch"
  batch_times+=($(( $(now_ns) - start )))
  check "ip -batch"
done
batch_ns=$(printf '%s\n' "${batch_times[@]}" | median)

# --- 1. Weft's library: the driver recreates weft.1 itself before each round ---
fresh_device
start=$(now_ns)
java_out=$("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "bench/target/dist/lib/*" \
  io.weft.bench.ProgramPeers --netns "$ns" --peers "$peers" --rounds "$rounds")
jvm_total_ns=$(( $(now_ns) - start ))
check "weft library"
cold_ns=$(sed -n 's/^cold_round_ns=//p' <<< "$java_out")
weft_ns=$(sed -n 's/^warm_median_ns=//p' <<< "$java_out")

objects=$((3 * peers))
us_per() { awk -v t="$1" -v n="$objects" 'BEGIN {printf "%.1f", t / n / 1000}'; }
ms() { awk -v t="$1" 'BEGIN {printf "%.1f", t / 1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }

{
  echo "# Programming $peers peers (neighbour + FDB entry + route each: $objects objects)"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) by \`bench/netlink-program.sh $peers $rounds\`, one run, one namespace,"
  echo "on $(nproc) cores ($(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r),"
  echo "$("$JAVA_HOME/bin/java" -version 2>&1 | head -1). Each way starts from a fresh \`weft.1\` and is checked"
  echo "to leave exactly $peers neighbours, FDB entries and routes on it."
  echo
  echo "| way | total | per object | time ÷ Weft's |"
  echo "|---|---|---|---|"
  echo "| Weft netlink library, warm JVM (median of $rounds rounds) | $(ms "$weft_ns") ms | $(us_per "$weft_ns") µs | 1.0 |"
  echo "| Weft netlink library, first round in a fresh JVM | $(ms "$cold_ns") ms | $(us_per "$cold_ns") µs | $(ratio "$cold_ns" "$weft_ns") |"
  echo "| \`ip -batch\` + \`bridge -batch\` (median of $rounds rounds) | $(ms "$batch_ns") ms | $(us_per "$batch_ns") µs | $(ratio "$batch_ns" "$weft_ns") |"
  echo "| one \`ip\`/\`bridge\` process per object (1 round) | $(ms "$per_object_ns") ms | $(us_per "$per_object_ns") µs | $(ratio "$per_object_ns" "$weft_ns") |"
  echo
  echo "The whole Java driver process (JVM start, netlink setup, $rounds rounds and their device"
  echo "re-creation, checks) took $(ms "$jvm_total_ns") ms."
  echo
  echo "Target (issue 2): the library is at least as fast per object as \`ip -batch\`. Warm, \`ip -batch\`"
  echo "takes $(ratio "$batch_ns" "$weft_ns")× as long as the library. The library's first round in a fresh JVM (interpreted"
  echo "code, FFM stubs being generated) takes $(ratio "$cold_ns" "$batch_ns")× as long as \`ip -batch\`: the agent pays that once."
  echo
  echo "The driver builds the records (desired state) before starting the clock; only the netlink requests are timed,"
  echo "one request and its ACK at a time, in the agent's order (neighbour, FDB entry, route)."
} > "$result"
cat "$result"
