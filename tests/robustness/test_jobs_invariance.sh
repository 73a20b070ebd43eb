#!/usr/bin/env bash
# Verdicts do not depend on --jobs: the whole library against slow_echo.py (a
# correct server whose answers slow down as connections pile up) at the default
# --jobs and at --jobs 1 must give each case the same outcome and close_outcome.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/harness/lib.sh
work=$(mktemp -d)
server_pid=
trap 'stop_pid "$server_pid"; rm -rf "$work"' EXIT

start_listening "$work/server.log" "$PYTHON" tests/robustness/slow_echo.py
started=$?
server_pid=$LISTEN_PID
url=$LISTEN_URL
[ $started -eq 0 ] || exit 1

# A watchdog per run: the library's bound is far longer, but a run that takes
# this long has already shown what it does.
run_library() { # run_library NAME [ARGS...]
  local name=$1
  shift
  timeout -s KILL 900 "$WSCONFORM_BIN" run "$url" --timeout-scale "$SCALE" --out "$work/$name" "$@" \
    >"$work/$name.stdout" 2>"$work/$name.stderr"
  local rc=$?
  grep " cases in " "$work/$name.stdout" | tap_diag
  [ $rc -le 3 ]
  tap_ok $? "the whole library at ${*:---jobs default} ends by itself (exit $rc)"
}
run_library parallel
run_library sequential --jobs 1

"$PYTHON" - "$work/parallel/results.json" "$work/sequential/results.json" >"$work/differences" <<'PY'
import json, sys

def verdicts(path):
    try:
        with open(path) as f:
            cases = json.load(f)["cases"]
        return {c["id"]: (c["outcome"], c["close_outcome"]) for c in cases}
    except (OSError, ValueError, KeyError, TypeError) as e:
        print("%s: unreadable (%s)" % (path, e))
        sys.exit(1)

parallel, sequential = verdicts(sys.argv[1]), verdicts(sys.argv[2])
different = [i for i in sequential if parallel.get(i) != sequential[i]]
different += [i for i in parallel if i not in sequential]
for i in different:
    print("%s: --jobs 1 %s / %s, default --jobs %s" % (
        i, *sequential.get(i, ("absent", "absent")),
        " / ".join(parallel.get(i, ("absent", "absent")))))
if not sequential:
    print("no case in the --jobs 1 results")
PY
compared=$?
[ $compared -eq 0 ] && [ ! -s "$work/differences" ]
tap_ok $? "every case has the same outcome and close_outcome at --jobs 1 and the default --jobs"
if [ -s "$work/differences" ]; then
  echo "$(wc -l <"$work/differences") cases differ:" | tap_diag
  tap_diag <"$work/differences"
fi

tap_done
