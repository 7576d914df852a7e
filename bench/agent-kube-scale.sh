#!/usr/bin/env bash
# Benchmark: one real `weft agent --store kubernetes` process (the agent k3s users run) in a cluster of N
# nodes the size of real k3s nodes (1000 by default), against the same agent on the local store with N peers,
# measured in the same run. The Kubernetes API is fabric8's mock API server in CRUD mode (bench
# MockApiServer: the Kubernetes store's tests' CrudApiServer and K3sNodes), run inside the agent's node namespace so the
# agent reaches it on 127.0.0.1. Each agent is started by `weft agent` with the launcher's JVM (its heap:
# agent_java_opts, with agent_kubernetes_heap for the Kubernetes store), in a fresh node namespace, --reconcile-interval 1s: the time
# until all N peers are programmed, its first pass, P periodic passes with nothing to do (from its /metrics)
# and its CPU use meanwhile, its RSS, private RSS, peak RSS and threads. A second run of each, with
# -XX:NativeMemoryTracking=summary added, gives the JVM's own split after the same passes (jcmd
# VM.native_memory summary), the loaded classes and the live heap after a full GC. Every agent is checked
# to leave exactly the neighbours, FDB entries and routes its peers ask for. Writes
# bench/results/agent-kube-scale.md.
# Usage: sudo bench/agent-kube-scale.sh [NODES] [PASSES]     (defaults 1000 and 10; NODES ≤ 1023)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. .mvn/find-jdk25.sh
. bench/agent-bench.sh
weft_find_jdk25
nodes=${1:-1000}
passes=${2:-10}
tag=wkube$$
work=$(mktemp -d)
result=bench/results/agent-kube-scale.md
agent_pid=
mock_pid=
cleanup() {
  if [ -n "$agent_pid" ]; then kill "$agent_pid" 2>/dev/null || true; wait "$agent_pid" 2>/dev/null || true; fi
  if [ -n "$mock_pid" ]; then exec 3>&-; kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
  for ns in $(ip netns list | awk '{print $1}' | grep "^$tag-" || true); do ip netns del "$ns"; done
  rm -rf "$work"
}
trap cleanup EXIT

# The ways: the local store (the reference) and the Kubernetes store, each as the launcher starts it;
# WEFT_JAVA_OPTS replaces the launcher's options, so the run with native memory tracking gives them again.
launcher=$(sed -n 's/^agent_java_opts="\(.*\)"$/\1/p' weft)
kube_heap=$(sed -n 's/^agent_kubernetes_heap="\(.*\)"$/\1/p' weft)
[ -n "$launcher" ] && [ -n "$kube_heap" ] || { echo "no agent_java_opts=\"...\" or agent_kubernetes_heap=\"...\" in ./weft" >&2; exit 1; }
nmt=-XX:NativeMemoryTracking=summary
ways=(local kube)
labels=("local store, $nodes peers (reference)" "Kubernetes store, $nodes nodes")
nmt_flags=("$launcher $nmt" "$launcher $kube_heap $nmt")
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

echo "building..." >&2
./mvnw -q -B -DskipTests package >&2


# The Kubernetes API, in the namespace of the Kubernetes store's agent; it serves until fd 3 is closed.
echo "starting the mock API server with $nodes k3s nodes..." >&2
node "$tag-kube"
mkfifo "$work/mock.in"
nsenter --net="/run/netns/$tag-kube" "$JAVA_HOME/bin/java" -cp "bench/target/dist/lib/*" io.weft.bench.MockApiServer \
  --nodes "$nodes" --kubeconfig "$work/kubeconfig" --peers-file "$work/kube.peers" < "$work/mock.in" > "$work/mock.out" 2> "$work/mock.log" &
mock_pid=$!
exec 3> "$work/mock.in"
start=$(now_ns)
until grep -qx ready "$work/mock.out"; do
  kill -0 "$mock_pid" 2>/dev/null || { echo "the mock API server died: $(tail -5 "$work/mock.log")" >&2; exit 1; }
  (( $(now_ns) - start < 120000000000 )) || { echo "the mock API server not ready in 120 s: $(tail -5 "$work/mock.log")" >&2; exit 1; }
  sleep 0.1
done
mock() { sed -n "s/^$1=//p" "$work/mock.out"; }
network=$(mock network)
kube_node=$(mock node)

echo "claiming $nodes leases in the local store..." >&2
# shellcheck disable=SC2086 # the flags are words
"$JAVA_HOME/bin/java" $launcher --enable-native-access=ALL-UNNAMED -cp "bench/target/dist/lib/*" io.weft.bench.FillLeaseStore \
  --store-dir "$work/leases" --network "$network" --subnet-len 24 --peers "$nodes" --peers-file "$work/local.peers" \
  --list-rounds 1 > /dev/null 2> "$work/fill.log"

# What each way's peers ask for (SUBNET VTEP-MAC PUBLIC-IP a line), one object a line, sorted.
for w in "${ways[@]}"; do
  wanted "$work/$w.peers" "$work/$w.want"
done
check() { weft1_holds "$work/$1.want" "$2" "$1 store, $3"; }   # check WAY NS WHEN: weft.1 holds exactly what WAY's peers ask for

# start_agent WAY RUN OPTIONS: `weft agent` on WAY's store in WAY's node namespace (made fresh for the local
# store; the mock's, with weft.1 deleted, for the Kubernetes store), with WEFT_JAVA_OPTS=OPTIONS (unset for
# "launcher"); waits until all peers are programmed and sets agent_pid, node_ns, log and converge_ns
start_agent() {
  node_ns=$tag-$1
  if [ "$1" = local ]; then node "$node_ns"; else ip -n "$node_ns" link del weft.1 2>/dev/null || true; fi
  local dir=$work/$1-$2
  mkdir -p "$dir"
  log=$dir/agent.log
  local store=(--store local --store-dir "$work/leases" --node-name node-0)
  local in_pod=()
  if [ "$1" = kube ]; then
    # configured as in a pod (fabric8's auto-configuration, no --kubeconfig: its kubeconfig parser
    # loads all of fabric8's model classes, ~5 MiB the DaemonSet's agent never has), the API server's
    # address in the environment where a pod has KUBERNETES_SERVICE_HOST and a service account
    store=(--store kubernetes --node-name "$kube_node")
    in_pod=(KUBERNETES_MASTER="$(sed -n 's/^ *server: *//p' "$work/kubeconfig" | head -1)"
      KUBERNETES_AUTH_TRYKUBECONFIG=false KUBERNETES_AUTH_TRYSERVICEACCOUNT=false)
  fi
  local options=(env -u WEFT_JAVA_OPTS "${in_pod[@]}")
  [ "$3" = launcher ] || options=(env WEFT_JAVA_OPTS="$3" "${in_pod[@]}")
  local start; start=$(now_ns)
  "${options[@]}" nsenter --net="/run/netns/$node_ns" ./weft agent "${store[@]}" --iface under0 \
    --network "$network" --subnet-len 24 --run-dir "$dir/run" --state-dir "$dir/state" \
    --http-address 127.0.0.1:9472 --reconcile-interval 1s > "$log" 2>&1 &
  agent_pid=$!
  while [ "$(ip -n "$node_ns" route show proto 201 | wc -l)" -lt "$nodes" ]; do
    kill -0 "$agent_pid" 2>/dev/null || { echo "the agent died: $(tail -5 "$log")" >&2; exit 1; }
    (( $(now_ns) - start < 120000000000 )) || { echo "no convergence in 120 s: $(tail -5 "$log")" >&2; exit 1; }
    sleep 0.02
  done
  converge_ns=$(( $(now_ns) - start ))
  # nsenter execs weft, which execs the JVM (a network namespace needs no fork): the PID is the agent's
  [ "$(cat "/proc/$agent_pid/comm")" = java ] || { echo "PID $agent_pid is not the JVM" >&2; exit 1; }
}
stop_agent() {
  kill "$agent_pid"; wait "$agent_pid" || true; agent_pid=
  [ "$1" = local ] && ip netns del "$node_ns"
  return 0
}
heap_max() { tr '\0' '\n' < "/proc/$agent_pid/cmdline" | sed -n 's/^-Xmx//p' | tail -1; }   # the last -Xmx wins

jcmd() { "$JAVA_HOME/bin/jcmd" "$agent_pid" "$@"; }
nmt_kib() {   # nmt_kib CATEGORY SUMMARY: the category's committed KiB ("Total" for all)
  awk -v name="$1" '{line = $0; sub(/^-? */, "", line)}
    index(line, name " (reserved=") == 1 || (name == "Total" && index(line, "Total: ") == 1) {
      match(line, /committed=[0-9]+KB/); print substr(line, RSTART + 10, RLENGTH - 12); exit}' <<< "$2"
}

declare -A converge_ms first_ms pass_mean pass_max cpu_pct window rss_converged rss_steady anon_steady hwm threads xmx
declare -A nmt_rss nmt_total nmt_heap live_heap nmt_class nmt_code nmt_thread nmt_symbol nmt_cds nmt_other classes
for i in "${!ways[@]}"; do
  w=${ways[$i]}
  echo "agent, ${labels[$i]}..." >&2
  start_agent "$w" plain launcher
  converge_ms[$w]=$(ms "$converge_ns")
  rss_converged[$w]=$(status_kib VmRSS)
  xmx[$w]=$(heap_max)
  check "$w" "$node_ns" "once converged"
  first_ms[$w]=$(programming_pass_ms $((3 * nodes + 2)) "$log" 1)
  rest "$w"
  pass_mean[$w]=$pass_mean_ms; pass_max[$w]=$pass_max_s; cpu_pct[$w]=$cpu; window[$w]=$window_s
  check "$w" "$node_ns" "after its passes"
  rss_steady[$w]=$(status_kib VmRSS)
  anon_steady[$w]=$(status_kib RssAnon)
  hwm[$w]=$(status_kib VmHWM)
  threads[$w]=$(status_kib Threads)
  echo "  converged in ${converge_ms[$w]} ms, pass with nothing to do ${pass_mean[$w]} ms, RSS ${rss_steady[$w]} KiB" >&2
  stop_agent "$w"
  if [ "$w" = kube ]; then   # the mock's own answers to a pass's list, warmed by the agent's, none of whose runs now
    echo list >&3
    start=$(now_ns)
    until [ -n "$(mock list_median_ns)" ]; do
      kill -0 "$mock_pid" 2>/dev/null || { echo "the mock API server died: $(tail -5 "$work/mock.log")" >&2; exit 1; }
      (( $(now_ns) - start < 120000000000 )) || { echo "the mock API server did not list in 120 s" >&2; exit 1; }
      sleep 0.1
    done
  fi

  echo "agent, ${labels[$i]}, with native memory tracking..." >&2
  start_agent "$w" nmt "${nmt_flags[$i]}"
  [ "$(heap_max)" = "${xmx[$w]}" ] || { echo "$w: -Xmx$(heap_max) with tracking, -Xmx${xmx[$w]} as the launcher starts it" >&2; exit 1; }
  check "$w" "$node_ns" "with tracking, once converged"
  rest "$w"
  nmt_rss[$w]=$(status_kib VmRSS)
  summary=$(jcmd VM.native_memory summary)
  nmt_total[$w]=$(nmt_kib Total "$summary")
  nmt_heap[$w]=$(nmt_kib "Java Heap" "$summary")
  nmt_class[$w]=$(( $(nmt_kib Class "$summary") + $(nmt_kib Metaspace "$summary") ))
  nmt_code[$w]=$(nmt_kib Code "$summary")
  nmt_thread[$w]=$(nmt_kib Thread "$summary")
  nmt_symbol[$w]=$(nmt_kib Symbol "$summary")
  nmt_cds[$w]=$(nmt_kib "Shared class space" "$summary")
  nmt_other[$w]=$(( nmt_total[$w] - nmt_heap[$w] - nmt_class[$w] - nmt_code[$w] - nmt_thread[$w] - nmt_symbol[$w] - nmt_cds[$w] ))
  classes[$w]=$(sed -n 's/^ *(classes #\([0-9]*\))$/\1/p' <<< "$summary")
  [ -n "${classes[$w]}" ] && [ -n "${nmt_cds[$w]}" ] || { echo "$w: an unexpected native memory summary:" >&2; echo "$summary" >&2; exit 1; }
  jcmd GC.run > /dev/null
  # the generations' "total …K, used …K" (Serial GC: DefNew and Tenured), right after the full GC
  live_heap[$w]=$(jcmd GC.heap_info | awk 'match($0, /total [0-9]+K, used [0-9]+K/) {
      split(substr($0, RSTART, RLENGTH), f, /[ K,]+/); used += f[4]} END {print used + 0}')
  check "$w" "$node_ns" "with tracking, after its passes"
  stop_agent "$w"
done

exec 3>&-   # the mock API server's stdin: it stops
for _ in $(seq 150); do kill -0 "$mock_pid" 2>/dev/null || break; sleep 0.1; done
kill "$mock_pid" 2>/dev/null || true   # its shutdown can hang (MockKubernetesApi says why): nothing is lost
wait "$mock_pid" 2>/dev/null || true
mock_pid=
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

target_kib=$((64 * 1024))
{
  echo "# One agent on the Kubernetes store, $nodes nodes: convergence, passes with nothing to do, RSS and the JVM's split"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) by \`bench/agent-kube-scale.sh $nodes $passes\`, one run, on $(nproc) cores"
  echo "($(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1);"
  echo "load average $load_start at the start, $load_end at the end (other work shares the machine)."
  echo "The Kubernetes API is fabric8's mock API server in CRUD mode (bench \`MockApiServer\`, in the agent's node namespace,"
  echo "reached on 127.0.0.1), serving node status patches and paged lists as a real API server does; it holds $nodes nodes"
  echo "modelled on a real k3s node ($(mock node_json_bytes) bytes of JSON each: labels, annotations, managedFields, conditions,"
  echo "images; created in $(awk -v t="$(mock create_ns)" 'BEGIN {printf "%.1f", t / 1e9}') s), each with a podCIDR in $network and Weft's annotations, and the agent's own node."
  echo "The agent's client is configured as in a pod (fabric8's auto-configuration, the API server's address from"
  echo "\`KUBERNETES_MASTER\` where a pod has its service account; no \`--kubeconfig\`, whose parser loads all of fabric8's model)."
  echo "The reference, in the same run: the same agent on a local lease store holding $nodes peers (bench \`FillLeaseStore\`)."
  echo "Each agent is one real \`weft agent\` process started as \`weft\` launches it (\`--iface under0 --reconcile-interval 1s\`)"
  echo "in a node namespace of its own (the Kubernetes store's second run, with tracking, in the same one as its first,"
  echo "\`weft.1\` deleted), checked to leave exactly the neighbours, FDB entries and routes its $nodes peers ask for, once"
  echo "converged and after its passes."
  echo
  echo "| store | heap (\`-Xmx\`) | start → $nodes peers programmed | first pass | pass with nothing to do (mean of $passes) | every one ≤ | the $passes passes took | CPU meanwhile | threads |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for i in "${!ways[@]}"; do
    w=${ways[$i]}
    echo "| ${labels[$i]} | ${xmx[$w]} | ${converge_ms[$w]} ms | ${first_ms[$w]} ms | ${pass_mean[$w]} ms | ${pass_max[$w]} s | ${window[$w]} s | ${cpu_pct[$w]} % | ${threads[$w]} |"
  done
  echo "| Kubernetes ÷ local | | $(ratio "${converge_ms[kube]}" "${converge_ms[local]}") | $(ratio "${first_ms[kube]}" "${first_ms[local]}") | $(ratio "${pass_mean[kube]}" "${pass_mean[local]}") | | | | |"
  echo
  echo "A list of the Kubernetes store from the API server (before its watch is up, or while it reconnects; otherwise it"
  echo "answers from its informer's cache): the mock API server's answers alone, all $((nodes + 1)) nodes in pages of 50 as the"
  echo "agent's store asks for them, take $(ms "$(mock list_median_ns)") ms (median of 5 after 3 unmeasured, fetched by the JDK's HTTP client in"
  echo "the mock's own process, unparsed, right after the agent's passes, none running)."
  echo
  echo "| store | RSS converged | RSS after the passes | of it private (\`RssAnon\`) | peak RSS (\`VmHWM\`) | RSS after the passes ÷ 64 MiB |"
  echo "|---|---|---|---|---|---|"
  for i in "${!ways[@]}"; do
    w=${ways[$i]}
    echo "| ${labels[$i]} | $(mib "${rss_converged[$w]}") MiB | $(mib "${rss_steady[$w]}") MiB | $(mib "${anon_steady[$w]}") MiB | $(mib "${hwm[$w]}") MiB | $(ratio "${rss_steady[$w]}" "$target_kib") |"
  done
  echo "| Kubernetes ÷ local | $(ratio "${rss_converged[kube]}" "${rss_converged[local]}") | $(ratio "${rss_steady[kube]}" "${rss_steady[local]}") | $(ratio "${anon_steady[kube]}" "${anon_steady[local]}") | $(ratio "${hwm[kube]}" "${hwm[local]}") | |"
  echo "| Kubernetes − local | $(mib $(( rss_converged[kube] - rss_converged[local] ))) MiB | $(mib $(( rss_steady[kube] - rss_steady[local] ))) MiB | $(mib $(( anon_steady[kube] - anon_steady[local] ))) MiB | $(mib $(( hwm[kube] - hwm[local] ))) MiB | |"
  echo
  echo "The JVM's own split, in a second run of each agent with \`$nmt\` added to the launcher's options, after"
  echo "its $passes passes (\`jcmd PID VM.native_memory summary\`, committed memory; then \`GC.run\` and \`GC.heap_info\`):"
  echo
  echo "| store | RSS (with tracking) | JVM committed, all | Java heap | of it live after a full GC | class metadata | loaded classes | code | thread stacks | symbols | CDS archive | other |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  for i in "${!ways[@]}"; do
    w=${ways[$i]}
    echo "| ${labels[$i]} | $(mib "${nmt_rss[$w]}") MiB | $(mib "${nmt_total[$w]}") MiB | $(mib "${nmt_heap[$w]}") MiB | $(mib "${live_heap[$w]}") MiB | $(mib "${nmt_class[$w]}") MiB | ${classes[$w]} | $(mib "${nmt_code[$w]}") MiB | $(mib "${nmt_thread[$w]}") MiB | $(mib "${nmt_symbol[$w]}") MiB | $(mib "${nmt_cds[$w]}") MiB | $(mib "${nmt_other[$w]}") MiB |"
  done
  echo -n "| Kubernetes − local | $(mib $(( nmt_rss[kube] - nmt_rss[local] ))) MiB | $(mib $(( nmt_total[kube] - nmt_total[local] ))) MiB | $(mib $(( nmt_heap[kube] - nmt_heap[local] ))) MiB"
  echo -n " | $(mib $(( live_heap[kube] - live_heap[local] ))) MiB | $(mib $(( nmt_class[kube] - nmt_class[local] ))) MiB | $(( classes[kube] - classes[local] )) | $(mib $(( nmt_code[kube] - nmt_code[local] ))) MiB"
  echo " | $(mib $(( nmt_thread[kube] - nmt_thread[local] ))) MiB | $(mib $(( nmt_symbol[kube] - nmt_symbol[local] ))) MiB | $(mib $(( nmt_cds[kube] - nmt_cds[local] ))) MiB | $(mib $(( nmt_other[kube] - nmt_other[local] ))) MiB |"
  echo
  echo "JVM options: as \`weft\` launches the agent, \`$launcher\`, and \`$kube_heap\` after them for the Kubernetes"
  echo "store (\`agent_java_opts\` and \`agent_kubernetes_heap\` in ./weft); the *heap* column is the last \`-Xmx\` of the"
  echo "process's command line, the same in the run with tracking."
  echo
  echo "- *start → programmed*: from starting \`weft agent\` (launcher, JVM start, store, lease, first pass) until"
  echo "  \`ip route show proto 201\` lists all $nodes routes (polled every 20 ms)."
  echo "- *first pass*: the agent's pass that made \`weft.1\` and the $((3 * nodes)) objects, from its log: listing the store,"
  echo "  dumping the kernel's state, programming."
  echo "- *pass with nothing to do*: the periodic passes after convergence, from \`weft_reconcile_duration_seconds\` (sum and"
  echo "  count between two scrapes of /metrics, checked to have changed nothing); *every one ≤* is the histogram's smallest"
  echo "  bucket holding them all. A periodic pass lists the store; a periodic pass starts 1 s after the previous one ended."
  echo "  The mock API server shares the machine's cores with the agent."
  echo "  *CPU meanwhile*: the agent process's CPU time over those passes (the mock API server's not counted), at the 1 s"
  echo "  interval where the default is 30 s. *threads*: \`Threads\` of /proc/PID/status, after the passes."
  echo "- *RSS*: \`VmRSS\` once the peers are programmed and after the passes; private is \`RssAnon\` (the rest is file-backed:"
  echo "  \`libjvm.so\`, the CDS archive, jars); peak is \`VmHWM\`. Issue 4's target is RSS ≤ 64 MiB."
  echo "- *JVM committed*: what native memory tracking counts as committed (reserved and touched or not; RSS counts touched"
  echo "  pages, and the file-backed ones, tracking's own ~1 MiB included). *Java heap*: committed heap; *live after a full GC*:"
  echo "  the generations' used space right after \`jcmd GC.run\`, a pass's data included when one is running."
  echo "  *class metadata*: Metaspace and class space. *loaded classes*:"
  echo "  NMT's class count. *thread stacks*: NMT's Thread. *CDS archive*: NMT's Shared class space (the JDK's classes, mapped"
  echo "  from a file). *other*: everything else NMT counts (GC, compiler, arenas, internal, modules, tracking)."
} > "$result"
cat "$result"
