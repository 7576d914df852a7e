#!/usr/bin/env bash
# Benchmark: CNI ADD/DEL latency, Weft against Debian's reference bridge + host-local plugins, in one run.
#   reference   /usr/lib/cni/bridge with host-local IPAM (containernetworking-plugins)
#   weft warm   the installed forwarder -> a warm CNI server (as the agent serves it)
#   weft java   the installed forwarder with no server -> it execs weft-java (the in-process fallback)
# Each way: N sequential ADDs then N DELs (per-exec wall time), then a burst of B concurrent ADDs (wall
# time until all are done) and their DELs. Every way runs in its own node namespace; pods are throwaway
# namespaces. Every exec goes through the same `nsenter --net` into the node, as a runtime on the node would.
# Writes bench/results/cni-latency.md.  Usage: sudo bench/cni-latency.sh [N] [B]   (defaults 50 and 32)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. .mvn/find-jdk25.sh
weft_find_jdk25
n=${1:-50}
burst=${2:-32}
ref=/usr/lib/cni
if [ ! -x "$ref/bridge" ] || [ ! -x "$ref/host-local" ]; then
  echo "needs Debian's reference plugins: apt-get install containernetworking-plugins" >&2; exit 1
fi
tag=wcl$$
work=$(mktemp -d)
result=bench/results/cni-latency.md
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; fi
  for ns in $(ip netns list | awk '{print $1}' | grep "^$tag-" || true); do ip netns del "$ns"; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "building..." >&2
./mvnw -q -B -DskipTests package >&2
./weft install --cni-bin-dir "$work/bin" --cni-conf-dir "$work/net.d" --network-name weftbench >&2
printf 'WEFT_NETWORK=10.42.0.0/16\nWEFT_SUBNET=10.42.1.1/24\nWEFT_MTU=1450\nWEFT_IPMASQ=true\n' > "$work/subnet.env"

pods=$(( n > burst ? n : burst ))
for ((i = 1; i <= pods; i++)); do ip netns add "$tag-p$i"; done

ref_conf='{"cniVersion":"1.0.0","name":"refbench","type":"bridge","bridge":"cni0","isGateway":true,"isDefaultGateway":true,"hairpinMode":true,"mtu":1450,"ipam":{"type":"host-local","dataDir":"'$work'/host-local","ranges":[[{"subnet":"10.42.1.0/24"}]]}}'
weft_conf() { echo '{"cniVersion":"1.0.0","name":"weftbench","type":"weft","subnetFile":"'$work'/subnet.env","dataDir":"'$work'/ipam-'$1'","socket":"'$2'"}'; }

# exec_cni NODE DIR CONF COMMAND I: one plugin exec as a runtime does it; prints its wall time in µs
exec_cni() {
  local node=$1 dir=$2 conf=$3 command=$4 i=$5 type s e
  type=$(grep -o '"type":"[a-z-]*"' <<< "$conf" | head -1 | cut -d'"' -f4)   # the plugin, not its ipam
  s=$(date +%s%N)
  if ! echo "$conf" | nsenter --net="/run/netns/$node" env -i CNI_COMMAND="$command" CNI_CONTAINERID="c$i" \
      CNI_NETNS="/run/netns/$tag-p$i" CNI_IFNAME=eth0 CNI_PATH="$dir" "$dir/$type" > "$work/out.$command.$i" 2>"$work/err.$command.$i"; then
    echo "$type $command c$i failed: $(cat "$work/out.$command.$i" "$work/err.$command.$i")" >&2; exit 1
  fi
  e=$(date +%s%N)
  echo $(( (e - s) / 1000 ))
}
stats() { sort -n | awk '{a[NR]=$1} END {printf "%.1f %.1f", a[int(NR*0.5)+1]/1000, a[int(NR*0.9)]/1000}'; }

node() { ip netns add "$tag-$1"; ip -n "$tag-$1" link set lo up; }
# measure WAY NODE DIR CONF (the node namespace exists): sets add_p50 add_p90 del_p50 del_p90 burst_ms for the way
declare -A add_p50 add_p90 del_p50 del_p90 burst_ms
measure() {
  local way=$1 node=$2 dir=$3 conf=$4 adds=() dels=() s e
  echo "$way: $n sequential ADD, $n DEL..." >&2
  for ((i = 1; i <= n; i++)); do adds+=("$(exec_cni "$node" "$dir" "$conf" ADD "$i")"); done
  for ((i = 1; i <= n; i++)); do dels+=("$(exec_cni "$node" "$dir" "$conf" DEL "$i")"); done
  read -r add_p50[$way] add_p90[$way] <<< "$(printf '%s\n' "${adds[@]}" | stats)"
  read -r del_p50[$way] del_p90[$way] <<< "$(printf '%s\n' "${dels[@]}" | stats)"
  echo "$way: burst of $burst concurrent ADDs..." >&2
  s=$(date +%s%N)
  local jobs=()
  for ((i = 1; i <= burst; i++)); do exec_cni "$node" "$dir" "$conf" ADD "$i" > /dev/null & jobs+=($!); done
  for job in "${jobs[@]}"; do wait "$job" || { echo "$way: an ADD of the burst failed" >&2; exit 1; }; done
  e=$(date +%s%N)
  burst_ms[$way]=$(awk -v t=$((e - s)) 'BEGIN {printf "%.0f", t / 1e6}')
  local addresses; addresses=$(for ((i = 1; i <= burst; i++)); do ip -n "$tag-p$i" -4 -o addr show dev eth0 | awk '{print $4}'; done | sort -u | wc -l)
  [ "$addresses" = "$burst" ] || { echo "$way: burst gave $addresses distinct addresses, not $burst" >&2; exit 1; }
  for ((i = 1; i <= burst; i++)); do exec_cni "$node" "$dir" "$conf" DEL "$i" > /dev/null; done
}

node node-ref
# The floor every way pays: the same pipeline and nsenter, running /bin/true instead of a plugin.
floor=()
for ((i = 1; i <= n; i++)); do
  s=$(date +%s%N); echo "$ref_conf" | nsenter --net="/run/netns/$tag-node-ref" env -i CNI_COMMAND=VERSION /bin/true; e=$(date +%s%N)
  floor+=($(( (e - s) / 1000 )))
done
read -r floor_p50 floor_p90 <<< "$(printf '%s\n' "${floor[@]}" | stats)"
measure reference "$tag-node-ref" "$ref" "$ref_conf"

node node-warm
nsenter --net="/run/netns/$tag-node-warm" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -cp "bench/target/dist/lib/*" io.weft.bench.ServeCni "$work/cni.sock" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do [ -S "$work/cni.sock" ] && break; sleep 0.1; done
[ -S "$work/cni.sock" ] || { echo "the CNI server did not start: $(cat "$work/server.log")" >&2; exit 1; }
warmup=100
for ((w = 1; w <= warmup; w++)); do   # warm the server's JIT as a running agent is; not measured
  exec_cni "$tag-node-warm" "$work/bin" "$(weft_conf warm "$work/cni.sock")" ADD 1 > /dev/null
  exec_cni "$tag-node-warm" "$work/bin" "$(weft_conf warm "$work/cni.sock")" DEL 1 > /dev/null
done
measure warm "$tag-node-warm" "$work/bin" "$(weft_conf warm "$work/cni.sock")"

node node-java
measure java "$tag-node-java" "$work/bin" "$(weft_conf java "$work/no-agent.sock")"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
row() { echo "| $1 | ${add_p50[$2]} | ${add_p90[$2]} | $(ratio "${add_p50[$2]}" "${add_p50[reference]}") | ${del_p50[$2]} | ${del_p90[$2]} | $(ratio "${del_p50[$2]}" "${del_p50[reference]}") | ${burst_ms[$2]} | $(ratio "${burst_ms[$2]}" "${burst_ms[reference]}") |"; }
{
  echo "# CNI latency: Weft against the reference bridge + host-local"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) by \`bench/cni-latency.sh $n $burst\`, all ways in one run, on $(nproc) cores,"
  echo "kernel $(uname -r), reference plugins $(dpkg-query -W -f='${Version}' containernetworking-plugins 2>/dev/null || echo '?'),"
  echo "$("$JAVA_HOME/bin/java" -version 2>&1 | head -1). Times are wall clock per exec (ms), including \`nsenter\` into"
  echo "the node namespace, as a runtime on the node pays it. Burst: $burst ADDs started at once, until the last is done."
  echo
  echo "| way | ADD p50 | ADD p90 | ADD p50 ÷ ref | DEL p50 | DEL p90 | DEL p50 ÷ ref | burst (ms) | burst ÷ ref |"
  echo "|---|---|---|---|---|---|---|---|---|"
  row "reference bridge + host-local" reference
  row "Weft: forwarder → warm agent" warm
  row "Weft: forwarder → in-process Java fallback" java
  echo
  echo "Floor: the same pipeline and \`nsenter\` running \`/bin/true\` take p50 $floor_p50 ms (p90 $floor_p90) per exec."
  echo "Above the floor, ADD p50: reference $(awk -v a="${add_p50[reference]}" -v f="$floor_p50" 'BEGIN {printf "%.1f", a - f}') ms,"
  echo "Weft warm $(awk -v a="${add_p50[warm]}" -v f="$floor_p50" 'BEGIN {printf "%.1f", a - f}') ms"
  echo "($(awk -v a="${add_p50[warm]}" -v r="${add_p50[reference]}" -v f="$floor_p50" 'BEGIN {printf "%.2f", (a - f) / (r - f)}')× the reference's)."
  echo
  echo "The warm agent served $warmup ADD+DEL pairs before the measured ones (a running agent is warm;"
  echo "its first requests after start run interpreted and are slower). Targets (issue 3), agent warm:"
  echo "ADD p50 ≤ 0.25 × reference, burst ≤ 0.2 × reference."
} > "$result"
cat "$result"
