#!/usr/bin/env bash
# A target that dies during the run: hostile_peer.py echo-then-die is a correct
# echo server that exits when it receives a Ping; first-n one that stops
# accepting connections. In the selection below only
# 2.1 sends a Ping (wsconform list shows the titles), and cases follow it.
# wsconform must exit 3, name 2.1 as the case running when the target died,
# and report the cases it could not play as NOT RUN, not as failures.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/harness/lib.sh
work=$(mktemp -d)
peer_pid=
stop_peer() {
  stop_pid "$peer_pid"
  peer_pid=
}
trap 'stop_peer; rm -rf "$work"' EXIT

SELECTION='1.1.*,1.2.*,2.1,2.7,2.8,3.1,4.1.1'
"$WSCONFORM_BIN" list --cases "$SELECTION" 2>/dev/null | cut -f1 >"$work/order"

PEER=(echo-then-die)
start_peer() { # starts hostile_peer.py "${PEER[@]}"; sets PEER_URL
  start_listening "$work/peer.log" "$PYTHON" tests/robustness/hostile_peer.py "${PEER[@]}" \
    --lifetime 600
  local started=$?
  peer_pid=$LISTEN_PID
  PEER_URL=$LISTEN_URL
  [ $started -eq 0 ] || exit 1
}

# run NAME [ARGS...]: plays the selection against a fresh peer; sets RC.
# The watchdog only keeps a hanging run from hanging the test.
run() {
  local name=$1
  shift
  start_peer
  timeout -s KILL 300 "$WSCONFORM_BIN" run "$PEER_URL" --cases "$SELECTION" --out "$work/$name" \
    --timeout-scale "$SCALE" "$@" >"$work/$name.stdout" 2>"$work/$name.stderr"
  RC=$?
  stop_peer
}

# problems NAME CHECKS: prints what results.json of run NAME gets wrong.
problems() {
  "$PYTHON" - "$work/$1/results.json" "$work/order" "$2" <<'PY'
import sys
sys.path.insert(0, "tests/robustness")
from results_check import load_and_check
path, order_path, checks = sys.argv[1:]
results, cases, order = load_and_check(path, order_path, "died")
during = results.get("died_during")
if checks == "stops-accepting":
    # The pre-flight, 1.1.1 and 1.1.2 were accepted; nothing after them was.
    for i in order[:2]:
        if cases.get(i, {}).get("outcome") == "NOT RUN":
            print("%s (accepted): NOT RUN" % i)
    for i in order[2:]:
        c = cases.get(i, {})
        if (c.get("outcome"), c.get("close_outcome"), c.get("failed")) != ("NOT RUN", "NOT RUN", False):
            print("%s (refused): %s / %s, failed %s, expected NOT RUN / NOT RUN, failed false"
                  % (i, c.get("outcome"), c.get("close_outcome"), c.get("failed")))
elif checks == "sequential":
    if during != ["2.1"]:
        print("died_during is %r, expected exactly ['2.1']" % (during,))
    if results.get("died_at") != "2.1":
        print("died_at is %r, expected '2.1'" % results.get("died_at"))
    after = order[order.index("2.1") + 1:]
    for i in after:
        c = cases.get(i, {})
        if (c.get("outcome"), c.get("close_outcome"), c.get("failed")) != ("NOT RUN", "NOT RUN", False):
            print("%s (after 2.1): %s / %s, failed %s, expected NOT RUN / NOT RUN, failed false"
                  % (i, c.get("outcome"), c.get("close_outcome"), c.get("failed")))
        elif not c.get("reason"):
            print("%s: NOT RUN without a reason" % i)
    for i in order[:order.index("2.1")]:
        if cases.get(i, {}).get("outcome") == "NOT RUN":
            print("%s (before 2.1, the target was alive): NOT RUN" % i)
else:
    if not isinstance(during, list) or "2.1" not in during:
        print("died_during is %r, expected a list holding '2.1'" % (during,))
    elif results.get("died_at") != during[0]:
        print("died_at is %r, expected the first of died_during" % results.get("died_at"))
    for c in results["cases"]:
        if c.get("outcome") == "FAILED" and "refused" in str(c.get("reason", "")).lower():
            print("%s FAILED for a refused connection: %s" % (c["id"], c.get("reason")))
PY
}

named_2_1() { # a "TARGET DIED" line naming 2.1 (not 2.10 or 12.1)
  grep -hE '^TARGET DIED.*(^|[^0-9.])2\.1([^0-9.]|$)' "$work/$1.stdout" "$work/$1.stderr" >/dev/null
}

check() { # check NAME: the assertions both runs share, then the results
  local name=$1 found
  tap_ok $(( RC != 3 )) "$name: exits 3 (target unusable), got $RC"
  [ "$RC" -eq 3 ] || { tail -n 8 "$work/$name.stdout"; tail -n 3 "$work/$name.stderr"; } | tap_diag
  found=$(problems "$name" "$name")
  [ -z "$found" ]
  tap_ok $? "$name: results.json reports the death as the contract says"
  [ -z "$found" ] || echo "$found" | tap_diag
}

# --jobs 1: exactly one case runs at a time, so the death is 2.1's.
run sequential --jobs 1
check sequential
named_2_1 sequential
tap_ok $? "sequential: a line starting \"TARGET DIED\" names 2.1"
awk '/^TARGET DIED/ { died = NR } /^FAILED / && !failed { failed = NR }
     END { exit !(died && (!failed || died < failed)) }' "$work/sequential.stdout"
tap_ok $? "sequential: on stdout, TARGET DIED comes before the FAILED lines"

# The default --jobs: 2.1 is among the cases running when the target died.
run parallel
check parallel
grep -q "^TARGET DIED" "$work/parallel.stdout" "$work/parallel.stderr" 2>/dev/null
tap_ok $? "parallel: a line starts with \"TARGET DIED\""

# A target that stops accepting connections: hostile_peer.py first-n accepts
# three (the pre-flight, 1.1.1, 1.1.2), then closes its listening socket.
PEER=(first-n --accept 3)
run stops-accepting --jobs 1
check stops-accepting

tap_done
