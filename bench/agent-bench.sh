# Shell functions the agent benchmarks share (agent-scale.sh, agent-kube-scale.sh), sourced by them. They expect
# $work (a scratch directory), $node_ns (the agent's namespace), $agent_pid (its JVM), $log (its log) and $passes
# to be set by the caller.

# A node namespace: loopback, and a veth stand-in for the underlay (192.0.2.1/24), as netlink-program.sh.
node() {
  ip netns add "$1"
  ip -n "$1" link set lo up
  ip -n "$1" link add under0 type veth peer name under1
  ip -n "$1" addr add 192.0.2.1/24 dev under0
  ip -n "$1" link set under0 up
  ip -n "$1" link set under1 up
}
now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk -v t="$1" 'BEGIN {printf "%.1f", t / 1e6}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
metrics() { nsenter --net="/run/netns/$node_ns" curl -sf "http://127.0.0.1:9472/metrics"; }
metric() { awk -v name="$1" '$1 == name {v = $2} END {print v + 0}' <<< "$2"; }   # metric SERIES SCRAPE
status_kib() { awk -v field="$1:" '$1 == field {print $2}' "/proc/$agent_pid/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$agent_pid/stat"; }

# wanted PEERS WANT: from PEERS ("subnet vtep-mac public-ip" a line), what every node's weft.1 must hold, one object
# a line, sorted, into WANT.neigh, WANT.fdb and WANT.route (the files weft1_holds compares with)
wanted() {
  awk '{split($1, s, "/"); print s[1] " " $2}' "$1" | sort > "$2.neigh"
  awk '{print $2 " " $3}' "$1" | sort > "$2.fdb"
  awk '{split($1, s, "/"); print $1 " " s[1]}' "$1" | sort > "$2.route"
}

# weft1_holds WANT NS WHAT: weft.1 in NS holds exactly the neighbours, FDB entries and routes of protocol 201 listed in
# WANT.neigh, WANT.fdb and WANT.route (one object a line, sorted); else says so for WHAT and exits
weft1_holds() {
  ip -n "$2" -j neigh show dev weft.1 nud permanent | jq -r '.[] | "\(.dst) \(.lladdr)"' | sort > "$work/got.neigh"
  bridge -n "$2" -j fdb show dev weft.1 | jq -r '.[] | select(.dst) | "\(.mac) \(.dst)"' | sort > "$work/got.fdb"
  ip -n "$2" -j route show proto 201 | jq -r '.[] | "\(.dst) \(.gateway)"' | sort > "$work/got.route"
  for kind in neigh fdb route; do
    if ! cmp -s "$1.$kind" "$work/got.$kind"; then
      echo "$3: the ${kind} entries on weft.1 are not what the peers ask for:" >&2
      diff "$1.$kind" "$work/got.$kind" | head -5 >&2; exit 1
    fi
  done
}

# programming_pass_ms OBJECTS LOG N: the time of the Nth pass that added OBJECTS objects, from the agent's log line
# (written just after the pass's last change, so waited for)
programming_pass_ms() {
  local line
  for _ in $(seq 100); do
    line=$(sed -n "s/.*reconciled: $1 added, 0 replaced, 0 deleted; .* \([0-9]*\) ms$/\1/p" "$2" | sed -n "$3p")
    [ -n "$line" ] && { echo "$line"; return; }
    sleep 0.1
  done
  echo "no pass number $3 adding $1 objects in the log:" >&2; cat "$2" >&2; exit 1
}

# rest WAY: waits for PASSES periodic passes, checked to change nothing; sets pass_mean_ms, pass_max_s, cpu, window_s
rest() {
  for _ in $(seq 100); do metrics > /dev/null && break; sleep 0.1; done
  local before after cpu0 t0 runs0 deadline count series
  before=$(metrics); cpu0=$(cpu_ticks); t0=$(now_ns)
  runs0=$(metric 'weft_reconcile_runs_total{result="ok"}' "$before")
  deadline=$(( t0 + (passes + 30) * 1000000000 ))
  while after=$(metrics); (( $(metric 'weft_reconcile_runs_total{result="ok"}' "$after") < runs0 + passes )); do
    kill -0 "$agent_pid" 2>/dev/null || { echo "$1: the agent died: $(tail -5 "$log")" >&2; exit 1; }
    (( $(now_ns) < deadline )) || { echo "$1: the agent did not make $passes passes in time" >&2; exit 1; }
    sleep 0.2
  done
  local window=$(( $(now_ns) - t0 ))
  cpu=$(awk -v t="$(( $(cpu_ticks) - cpu0 ))" -v hz="$(getconf CLK_TCK)" -v ns="$window" 'BEGIN {printf "%.0f", t / hz / (ns / 1e9) * 100}')
  window_s=$(awk -v ns="$window" 'BEGIN {printf "%.1f", ns / 1e9}')
  for change in added replaced deleted; do
    series="weft_reconcile_changes_total{change=\"$change\"}"
    [ "$(metric "$series" "$before")" = "$(metric "$series" "$after")" ] || { echo "$1: a pass $change something after convergence" >&2; exit 1; }
  done
  [ "$(metric 'weft_reconcile_runs_total{result="error"}' "$after")" = 0 ] || { echo "$1: a pass failed: $(tail -5 "$log")" >&2; exit 1; }
  count=$(( $(metric weft_reconcile_duration_seconds_count "$after") - $(metric weft_reconcile_duration_seconds_count "$before") ))
  pass_mean_ms=$(awk -v a="$(metric weft_reconcile_duration_seconds_sum "$after")" -v b="$(metric weft_reconcile_duration_seconds_sum "$before")" \
    -v n="$count" 'BEGIN {printf "%.1f", (a - b) / n * 1000}')
  pass_max_s=$(for le in 1.0E-4 5.0E-4 0.001 0.005 0.01 0.05 0.1 0.25 0.5 1.0 2.5 5.0 +Inf; do   # the smallest bucket holding all
      series="weft_reconcile_duration_seconds_bucket{le=\"$le\"}"
      if (( $(metric "$series" "$after") - $(metric "$series" "$before") == count )); then echo "$le"; break; fi
    done)
}
