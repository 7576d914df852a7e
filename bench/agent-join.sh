#!/usr/bin/env bash
# Benchmark: how soon running agents route to a node that joins. NODES real `weft agent` processes
# (started by `weft agent`, with the launcher's JVM options), each in a node namespace on one underlay subnet
# (192.0.2.0/24, a bridge in a fabric namespace), share a local lease store. The driver claims a lease
# for a new fake node, J times one after another, and times on every agent's node the claim → route to
# the new subnet in the kernel (the route's RTM_NEWROUTE notification, checked by a dump). Two
# scenarios in one run: a store holding only the agents, and one also holding 1000 other peers.
# Writes bench/results/agent-join.md.   Usage: sudo bench/agent-join.sh [JOINS] [NODES] [PEERS]
#                                       (defaults 50, 2 and 1000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. .mvn/find-jdk25.sh
weft_find_jdk25
joins=${1:-50}
nodes=${2:-2}
peers=${3:-1000}
seed=${SEED:-$RANDOM}
tag=wjoin$$
work=$(mktemp -d)
result=bench/results/agent-join.md
network=10.0.0.0/8
launcher=$(sed -n 's/^agent_java_opts="\(.*\)"$/\1/p' weft)   # what weft agent starts the JVM with, for the report
agent_pids=()
stop_agents() {
  for pid in "${agent_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${agent_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  agent_pids=()
}
delete_namespaces() { for ns in $(ip netns list | awk '{print $1}' | grep "^$tag-" || true); do ip netns del "$ns"; done; }
cleanup() { stop_agents; delete_namespaces; rm -rf "$work"; }
trap cleanup EXIT

echo "building..." >&2
./mvnw -q -B -DskipTests package >&2

# cluster DIR BACKGROUND: NODES agents on one fabric, sharing the store DIR/leases that first gets
# BACKGROUND fake peers; returns once every node routes to all the others
cluster() {
  local dir=$1 background=$2 i
  mkdir -p "$dir"
  if (( background > 0 )); then
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "bench/target/dist/lib/*" io.weft.bench.FillLeaseStore \
      --store-dir "$dir/leases" --network "$network" --subnet-len 24 --peers "$background" --peers-file "$dir/peers" --list-rounds 1 \
      > /dev/null 2>"$dir/fill.log"
  fi
  ip netns add "$tag-fabric"
  ip -n "$tag-fabric" link add fab type bridge
  ip -n "$tag-fabric" link set fab up
  for ((i = 1; i <= nodes; i++)); do
    ip netns add "$tag-n$i"
    ip -n "$tag-fabric" link add "p$i" type veth peer name eth0 netns "$tag-n$i"
    ip -n "$tag-fabric" link set "p$i" master fab up
    ip -n "$tag-n$i" link set lo up
    ip -n "$tag-n$i" addr add "192.0.2.$i/24" dev eth0
    ip -n "$tag-n$i" link set eth0 up
    env -u WEFT_JAVA_OPTS nsenter --net="/run/netns/$tag-n$i" ./weft agent --node-name "node-$i" --iface eth0 \
      --store local --store-dir "$dir/leases" --network "$network" --subnet-len 24 \
      --run-dir "$dir/n$i/run" --state-dir "$dir/n$i/state" --http-address 127.0.0.1:9472 > "$dir/n$i.log" 2>&1 &
    agent_pids+=($!)
  done
  local want=$(( background + nodes - 1 )) deadline=$(( $(date +%s) + 120 ))
  for ((i = 1; i <= nodes; i++)); do
    while [ "$(ip -n "$tag-n$i" route show proto 201 | wc -l)" -lt "$want" ] \
        || ! nsenter --net="/run/netns/$tag-n$i" curl -sf http://127.0.0.1:9472/readyz > /dev/null; do
      kill -0 "${agent_pids[$((i - 1))]}" 2>/dev/null || { echo "agent node-$i died: $(tail -5 "$dir/n$i.log")" >&2; exit 1; }
      (( $(date +%s) < deadline )) || { echo "node-$i did not route to $want peers in 120 s: $(tail -5 "$dir/n$i.log")" >&2; exit 1; }
      sleep 0.1
    done
  done
}

# scenario NAME BACKGROUND: a fresh cluster, the joins, the check; leaves DIR/samples (NODE JOIN LATENCY_NS CLAIM_NS)
scenario() {
  local dir=$work/$1 background=$2 i
  echo "$1: $nodes agents, $background other peers in the store, $joins joins..." >&2
  cluster "$dir" "$background"
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "bench/target/dist/lib/*" io.weft.bench.JoinLatency \
    --store-dir "$dir/leases" --network "$network" --subnet-len 24 --joins "$joins" --seed "$seed" \
    --nodes "$(seq -s, -f "$tag-n%g" 1 "$nodes")" \
    > "$dir/samples" 2>"$dir/driver.log" || { echo "the driver failed: $(tail -5 "$dir/driver.log")" >&2; exit 1; }
  local want=$(( background + nodes - 1 + joins ))
  for ((i = 1; i <= nodes; i++)); do
    local got; got=$(ip -n "$tag-n$i" route show proto 201 | wc -l)
    [ "$got" = "$want" ] || { echo "$1: node-$i has $got routes of protocol 201, not $want" >&2; exit 1; }
  done
  [ "$(wc -l < "$dir/samples")" = $(( joins * nodes )) ] || { echo "$1: $(wc -l < "$dir/samples") samples, not $(( joins * nodes ))" >&2; exit 1; }
  stop_agents
  delete_namespaces
}

# stats FILE COLUMN: p50 p99 max in ms (nearest rank)
stats() {
  awk -v c="$2" '{print $c / 1e6}' "$1" | sort -n | awk '{a[NR]=$1} END {
    p50 = int(NR * 0.50 + 0.999999); p99 = int(NR * 0.99 + 0.999999)
    printf "%.0f %.0f %.0f", a[p50], a[p99], a[NR]}'
}

scenario small 0
scenario large "$peers"
read -r small_p50 small_p99 small_max <<< "$(stats "$work/small/samples" 3)"
read -r large_p50 large_p99 large_max <<< "$(stats "$work/large/samples" 3)"
read -r small_claim _ _ <<< "$(stats "$work/small/samples" 4)"
read -r large_claim _ _ <<< "$(stats "$work/large/samples" 4)"
{
  echo "# Join latency: a new lease → the route to it on running agents' nodes"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) by \`bench/agent-join.sh $joins $nodes $peers\` (seed $seed), one run, on $(nproc) cores,"
  echo "kernel $(uname -r), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1). $nodes real \`weft agent\` processes"
  echo "(\`--store local\`, defaults otherwise; started by \`weft agent\`: JVM options \`$launcher\`) in node namespaces on one"
  echo "underlay subnet."
  echo "The driver claims a lease for a new fake node (\`LocalLeaseStore.acquire\`, public IP off the underlay: a VXLAN"
  echo "peer), $joins times, each after a random 50–250 ms gap, and times on every node the claim → the kernel's"
  echo "\`RTM_NEWROUTE\` for the route to the new subnet (checked by a dump to be via its network address, out of \`weft.1\`)."
  echo "Samples: $joins joins × $nodes nodes. Every node is checked to end with a route to each peer."
  echo
  echo "| store | join p50 | join p99 | max | of it, the claim (p50) |"
  echo "|---|---|---|---|---|"
  echo "| the $nodes agents only | $small_p50 ms | $small_p99 ms | $small_max ms | $small_claim ms |"
  echo "| the $nodes agents and $peers other peers | $large_p50 ms | $large_p99 ms | $large_max ms | $large_claim ms |"
  echo
  echo "Where the time goes: the local store is polled every 200 ms (a join waits 0–200 ms to be seen), the agent"
  echo "debounces events for 100 ms, then one pass, against the leases as the watch reported them, reads the kernel's"
  echo "state and adds the neighbour, FDB entry and route in one batch. With $peers peers every poll \`stat\`s $peers lease"
  echo "files, the pass dumps $peers routes, neighbours and FDB entries, and the claim scans $peers files under the store's lock."
  echo
  echo "Target (issue 4): join p99 < 1 s."
} > "$result"
cat "$result"
