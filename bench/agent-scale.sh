#!/usr/bin/env bash
# Benchmark: one real `weft agent` process against a local lease store holding N peers (1000 by default).
# For each JVM configuration (the JDK's defaults; as the `weft` launcher starts the agent; the same with an
# AOT cache trained in this run), started through `weft agent` in a fresh node namespace: the time from
# starting the process until all N peers are programmed (N routes of protocol 201, with their
# neighbours and FDB entries), the agent's first pass, P passes with nothing to do (from its /metrics:
# weft_reconcile_duration_seconds, which times the whole pass, listing the store included), its CPU
# use meanwhile and its RSS, and a warm pass programming everything again after weft.1 is deleted.
# Reference, in the same run: `ip -batch` + `bridge -batch` programming the same 3N objects onto a fresh
# weft.1, ROUNDS times before the agents and ROUNDS times after each. Then, in one JVM with the launcher's
# options (bench ReconcilePasses), what a pass is made of. Every way is checked to leave exactly the
# objects the leases ask for. Writes bench/results/agent-scale.md.
# Usage: sudo bench/agent-scale.sh [PEERS] [PASSES] [ROUNDS]     (defaults 1000, 10 and 5)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. .mvn/find-jdk25.sh
. bench/agent-bench.sh
weft_find_jdk25
peers=${1:-1000}
passes=${2:-10}
rounds=${3:-5}
tag=wscale$$
work=$(mktemp -d)
result=bench/results/agent-scale.md
network=10.0.0.0/8   # /24s: 65536 subnets, room for any N
agent_pid=
cleanup() {
  if [ -n "$agent_pid" ]; then kill "$agent_pid" 2>/dev/null; wait "$agent_pid" 2>/dev/null || true; fi
  for ns in $(ip netns list | awk '{print $1}' | grep "^$tag-" || true); do ip netns del "$ns"; done
  rm -rf "$work"
}
trap cleanup EXIT

# The JVM configurations: a label, and WEFT_JAVA_OPTS for `weft agent` ("launcher": unset, the launcher's
# own choice for the agent, agent_java_opts in ./weft).
launcher=$(sed -n 's/^agent_java_opts="\(.*\)"$/\1/p' weft)
[ -n "$launcher" ] || { echo "no agent_java_opts=\"...\" in ./weft" >&2; exit 1; }
aot=$work/agent.aot
labels=("JDK defaults (no options)" "as \`weft\` launches it" "as \`weft\` launches it + AOT cache")
flags=("" "launcher" "$launcher -XX:AOTMode=on -XX:AOTCache=$aot")   # on: fail unless it is used
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

echo "building..." >&2
./mvnw -q -B -DskipTests package >&2


echo "claiming $peers leases in the store..." >&2
# shellcheck disable=SC2086 # the flags are words
fill_out=$("$JAVA_HOME/bin/java" $launcher --enable-native-access=ALL-UNNAMED -cp "bench/target/dist/lib/*" io.weft.bench.FillLeaseStore \
  --store-dir "$work/leases" --network "$network" --subnet-len 24 --peers "$peers" --peers-file "$work/peers" \
  --list-rounds 1 2>"$work/fill.log")
fill_ns=$(sed -n 's/^fill_ns=//p' <<< "$fill_out")

# What the leases ask for on every node, one object a line, sorted: the check every way must pass.
wanted "$work/peers" "$work/want"
check() { weft1_holds "$work/want" "$2" "$1"; }   # check WAY NS: weft.1 holds exactly what the leases ask for

# --- reference: ip -batch + bridge -batch, the same objects onto a fresh weft.1 ---
node "$tag-ref"
awk '{split($1, s, "/"); print "neigh add " s[1] " lladdr " $2 " dev weft.1 nud permanent"}' "$work/peers" > "$work/ip.batch"
awk '{split($1, s, "/"); print "route add " $1 " via " s[1] " dev weft.1 onlink proto 201"}' "$work/peers" >> "$work/ip.batch"
awk '{print "fdb add " $2 " dev weft.1 dst " $3 " self permanent"}' "$work/peers" > "$work/bridge.batch"
batch_times=()
reference() {   # ROUNDS more rounds of the reference, in its namespace
  for ((r = 0; r < rounds; r++)); do
    ip -n "$tag-ref" link del weft.1 2>/dev/null || true
    ip -n "$tag-ref" link add weft.1 type vxlan id 1 dstport 8472 local 192.0.2.1 dev under0 nolearning
    ip -n "$tag-ref" link set weft.1 up
    start=$(now_ns)
    ip -n "$tag-ref" -batch "$work/ip.batch"   # neighbours, then routes
    bridge -n "$tag-ref" -batch "$work/bridge.batch"
    batch_times+=($(( $(now_ns) - start )))
    check "ip -batch" "$tag-ref"
  done
}
reference

# start_agent NAME OPTIONS: `weft agent` in a fresh node namespace NAME, with WEFT_JAVA_OPTS=OPTIONS (unset
# for "launcher"); waits until all peers are programmed and sets agent_pid, node_ns and converge_ns
start_agent() {
  node_ns=$tag-$1
  node "$node_ns"
  mkdir -p "$work/$1"
  local start; start=$(now_ns)
  local options=(env -u WEFT_JAVA_OPTS)
  [ "$2" = launcher ] || options=(env WEFT_JAVA_OPTS="$2")
  "${options[@]}" nsenter --net="/run/netns/$node_ns" ./weft agent --node-name node-0 --iface under0 \
    --store local --store-dir "$work/leases" --network "$network" --subnet-len 24 \
    --run-dir "$work/$1/run" --state-dir "$work/$1/state" \
    --http-address 127.0.0.1:9472 --reconcile-interval 1s > "$work/$1/agent.log" 2>&1 &
  agent_pid=$!
  while [ "$(ip -n "$node_ns" route show proto 201 | wc -l)" -lt "$peers" ]; do
    kill -0 "$agent_pid" 2>/dev/null || { echo "the agent died: $(tail -5 "$work/$1/agent.log")" >&2; exit 1; }
    (( $(now_ns) - start < 120000000000 )) || { echo "no convergence in 120 s: $(tail -5 "$work/$1/agent.log")" >&2; exit 1; }
    sleep 0.02
  done
  converge_ns=$(( $(now_ns) - start ))
  # nsenter execs weft, which execs the JVM (a network namespace needs no fork): the PID is the agent's
  [ "$(cat "/proc/$agent_pid/comm")" = java ] || { echo "PID $agent_pid is not the JVM" >&2; exit 1; }
}
stop_agent() {
  kill "$agent_pid"; wait "$agent_pid" || true; agent_pid=
  ip netns del "$node_ns"
}

# The AOT cache is trained by a run of the agent itself, with the flags it is then used with.
echo "training the AOT cache..." >&2
start_agent train "$launcher -XX:AOTCacheOutput=$aot"
sleep 3
stop_agent
[ -s "$aot" ] || { echo "no AOT cache was written: $(tail -5 "$work/train/agent.log")" >&2; exit 1; }

declare -a converge_ms first_pass_ms repair_ms repair_pass_ms idle_mean_ms idle_max_s cpu_pct rss_converged rss_steady anon_steady hwm
for c in "${!labels[@]}"; do
  echo "agent, ${labels[$c]}..." >&2
  start_agent "node$c" "${flags[$c]}"
  converge_ms[$c]=$(ms "$converge_ns")
  rss_converged[$c]=$(status_kib VmRSS)
  check "agent, ${labels[$c]}" "$node_ns"
  log=$work/node$c/agent.log
  first_pass_ms[$c]=$(programming_pass_ms $((3 * peers + 2)) "$log" 1)

  # Passes with nothing to do: the periodic ones (every second), counted between two scrapes.
  rest "${labels[$c]}"
  cpu_pct[$c]=$cpu idle_mean_ms[$c]=$pass_mean_ms idle_max_s[$c]=$pass_max_s
  check "agent after its passes, ${labels[$c]}" "$node_ns"
  rss_steady[$c]=$(status_kib VmRSS)
  anon_steady[$c]=$(status_kib RssAnon)
  hwm[$c]=$(status_kib VmHWM)

  # A warm programming pass: weft.1 deleted under the running agent (its routes, neighbours and FDB
  # entries go with it), which makes the device and the 3N objects again on the netlink event.
  ip -n "$node_ns" link del weft.1
  start=$(now_ns)
  while [ "$(ip -n "$node_ns" route show proto 201 | wc -l)" -lt "$peers" ]; do
    (( $(now_ns) - start < 60000000000 )) || { echo "weft.1 not made again in 60 s: $(tail -5 "$log")" >&2; exit 1; }
    sleep 0.02
  done
  repair_ms[$c]=$(ms $(( $(now_ns) - start )))
  check "agent after weft.1 was deleted, ${labels[$c]}" "$node_ns"
  repair_pass_ms[$c]=$(programming_pass_ms $((3 * peers + 2)) "$log" 2)
  echo "  converged in ${converge_ms[$c]} ms, pass with nothing to do ${idle_mean_ms[$c]} ms, RSS ${rss_steady[$c]} KiB," \
    "repair pass ${repair_pass_ms[$c]} ms" >&2
  stop_agent
  reference
done
ip netns del "$tag-ref"
batch_ns=$(printf '%s\n' "${batch_times[@]}" | median)

# What a pass is made of: the agent's overlay in one JVM with the launcher's options, a netlink
# subscription running as the agent's does, the leases given from memory as a pass on an event has them.
echo "breaking a pass down..." >&2
node "$tag-parts"
# shellcheck disable=SC2086 # the flags are words
parts=$("$JAVA_HOME/bin/java" $launcher --enable-native-access=ALL-UNNAMED -cp "bench/target/dist/lib/*" io.weft.bench.ReconcilePasses \
  --netns "$tag-parts" --store-dir "$work/leases" --network "$network" --subnet-len 24 --rounds 20 2>"$work/parts.log") \
  || { echo "ReconcilePasses failed: $(tail -5 "$work/parts.log")" >&2; exit 1; }
ip netns del "$tag-parts"
part() { sed -n "s/^$1=//p" <<< "$parts"; }
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

objects=$((3 * peers))
us_per() { awk -v t="$1" -v n="$objects" 'BEGIN {printf "%.1f", t / n / 1000}'; }
{
  echo "# One agent, $peers peers: convergence, passes with nothing to do, RSS"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) by \`bench/agent-scale.sh $peers $passes $rounds\`, one run, on $(nproc) cores"
  echo "($(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1);"
  echo "load average $load_start at the start, $load_end at the end (other work shares the machine)."
  echo "A local lease store holds $peers peers (claimed through \`LocalLeaseStore.acquire\` in $(awk -v t="$fill_ns" 'BEGIN {printf "%.1f", t / 1e9}') s),"
  echo "/24s of $network, public IPs off the underlay: each peer is a neighbour, an FDB entry and a route on \`weft.1\`,"
  echo "$objects objects. One real agent started by \`weft agent\` (\`--store local --iface under0 --reconcile-interval 1s\`,"
  echo "masquerade on) in a fresh node namespace per JVM configuration; every way is checked to leave exactly the objects"
  echo "the leases ask for."
  echo
  echo "| way | start → $peers peers programmed | first pass (cold) | per object | ÷ \`ip -batch\` | \`weft.1\` deleted → all back | repair pass (warm) | per object | ÷ \`ip -batch\` |"
  echo "|---|---|---|---|---|---|---|---|---|"
  echo "| \`ip -batch\` + \`bridge -batch\` (median of ${#batch_times[@]} rounds) | | $(ms "$batch_ns") ms | $(us_per "$batch_ns") µs | 1.00 | | | | |"
  for c in "${!labels[@]}"; do
    pass_ns=$(( ${first_pass_ms[$c]} * 1000000 ))
    repair_ns=$(( ${repair_pass_ms[$c]} * 1000000 ))
    echo "| \`weft agent\`, ${labels[$c]} | ${converge_ms[$c]} ms | ${first_pass_ms[$c]} ms | $(us_per "$pass_ns") µs | $(ratio "$pass_ns" "$batch_ns") | ${repair_ms[$c]} ms | ${repair_pass_ms[$c]} ms | $(us_per "$repair_ns") µs | $(ratio "$repair_ns" "$batch_ns") |"
  done
  echo
  echo "| way | pass with nothing to do (mean of $passes) | every one ≤ | CPU meanwhile | RSS converged | RSS after the passes | of it private (\`RssAnon\`) | peak RSS |"
  echo "|---|---|---|---|---|---|---|---|"
  for c in "${!labels[@]}"; do
    echo "| \`weft agent\`, ${labels[$c]} | ${idle_mean_ms[$c]} ms | ${idle_max_s[$c]} s | ${cpu_pct[$c]} % | $(mib "${rss_converged[$c]}") MiB | $(mib "${rss_steady[$c]}") MiB | $(mib "${anon_steady[$c]}") MiB | $(mib "${hwm[$c]}") MiB |"
  done
  echo
  echo "What a pass is made of (bench \`ReconcilePasses\`: the agent's overlay in one JVM with the launcher's options and a"
  echo "netlink subscription, against the same leases given from memory; medians of 20 rounds, wall time and the thread's CPU time):"
  echo
  echo "| part | wall | CPU | per object (wall) | ÷ \`ip -batch\` |"
  echo "|---|---|---|---|---|"
  echo "| repair pass: \`weft.1\` made again with its $objects objects | $(ms "$(part repair_pass_median_ns)") ms | $(ms "$(part repair_pass_cpu_median_ns)") ms | $(us_per "$(part repair_pass_median_ns)") µs | $(ratio "$(part repair_pass_median_ns)" "$batch_ns") |"
  echo "| of which the kernel's work could not be less: the same objects, built beforehand, in one \`Batch\` | $(ms "$(part batch_only_median_ns)") ms | | $(us_per "$(part batch_only_median_ns)") µs | $(ratio "$(part batch_only_median_ns)" "$batch_ns") |"
  echo "| pass with nothing to do (without listing the store) | $(ms "$(part idle_pass_median_ns)") ms | $(ms "$(part idle_pass_cpu_median_ns)") ms | | |"
  echo "| of which the dumps: routes, neighbours and FDB entries of \`weft.1\` | $(ms "$(part dumps_median_ns)") ms | | | |"
  echo "| listing the store (\`LocalLeaseStore.list()\`, $peers unchanged files): periodic passes only | $(ms "$(part list_median_ns)") ms | $(ms "$(part list_cpu_median_ns)") ms | | |"
  echo
  echo "JVM options (each configuration also gets \`--enable-native-access=ALL-UNNAMED\` from the launcher):"
  echo
  for c in "${!labels[@]}"; do
    shown=${flags[$c]}
    [ "$shown" = launcher ] && shown=$launcher
    echo "- ${labels[$c]}: \`${shown:-(none)}\`" | sed "s|$work/||"
  done
  echo
  echo "- *start → programmed*: from starting \`weft agent\` (launcher, JVM start, store, lease, first pass) until"
  echo "  \`ip route show proto 201\` lists all $peers routes (polled every 20 ms)."
  echo "- *first pass*: the agent's first pass, from its log: listing $peers leases, dumping the kernel's state,"
  echo "  making \`weft.1\` and adding $objects objects, in a cold JVM. The reference programs into a device made beforehand."
  echo "- *repair pass*: the same work in the warm agent, after the passes with nothing to do: \`ip link del weft.1\` under"
  echo "  it, and the pass its netlink event starts (from the log, whole milliseconds). A pass on an event reconciles"
  echo "  against the leases as the store's watch left them, without listing the store. *deleted → all back* adds the"
  echo "  100 ms debounce and polling."
  echo "- The agent sends a pass's changes in one \`io.weft.netlink.Batch\` (64 requests a datagram, only refusals"
  echo "  answered); \`ip -batch\` sends one request and waits for its ACK, each time."
  echo "- *pass with nothing to do*: the periodic passes after convergence, from \`weft_reconcile_duration_seconds\` (sum and"
  echo "  count between two scrapes, checked to have changed nothing); *every one ≤* is the histogram's smallest bucket holding"
  echo "  them all. A periodic pass lists the store (the truth, healing whatever an event missed). *CPU meanwhile*: the"
  echo "  process's CPU time over that window: every second a periodic pass (the reconcile, then \`cni0\`, forwarding and"
  echo "  \`subnet.env\` checked, and \`nft\` run to check the masquerade table), and the store polled every 200 ms (one"
  echo "  \`stat\` of the lease directory while it is unchanged, else one per lease file)."
  echo "- *RSS*: \`VmRSS\` once the peers are programmed and after the passes; private is \`RssAnon\` (the rest is file-backed:"
  echo "  \`libjvm.so\`, the CDS archive or AOT cache); peak is \`VmHWM\`."
  echo "- The AOT cache was trained in this run by one start of the agent (\`-XX:AOTCacheOutput\`, the launcher's options)"
  echo "  and is used with the same options."
  echo
  echo "Targets (issue 4), as \`weft\` launches the agent: pass with nothing to do < 0.5 s: ${idle_mean_ms[1]} ms. Per object"
  echo "≤ \`ip -batch\`: the warm repair pass takes $(ratio "$(( ${repair_pass_ms[1]} * 1000000 ))" "$batch_ns")× \`ip -batch\`'s time ($(ratio "$(part repair_pass_median_ns)" "$batch_ns")× in one JVM,"
  echo "the breakdown above), the cold first pass $(ratio "$(( ${first_pass_ms[1]} * 1000000 ))" "$batch_ns")× ($(ratio "$(( ${first_pass_ms[2]} * 1000000 ))" "$batch_ns")× with the AOT cache)."
  echo "RSS ≤ 64 MiB: $(mib "${rss_steady[1]}") MiB after the passes, $(mib "${anon_steady[1]}") MiB of it private."
} > "$result"
cat "$result"
