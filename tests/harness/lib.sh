# Shared by the TAP scripts: a loopback echo server started and stopped by pid,
# and TAP output helpers. Source it; WSCONFORM_BIN names the program.

# The Python the test servers run with, and --timeout-scale for the runs.
PYTHON=${PYTHON:-/usr/bin/python3}
SCALE=${WSCONFORM_TIMEOUT_SCALE:-1}
WSCONFORM_BIN=${WSCONFORM_BIN:-build/wsconform}
TAP_COUNT=0
TAP_FAILED=0

tap_ok() { # tap_ok CONDITION_EXIT_STATUS DESCRIPTION
  TAP_COUNT=$((TAP_COUNT + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $TAP_COUNT - $2"
  else
    echo "not ok $TAP_COUNT - $2"
    TAP_FAILED=$((TAP_FAILED + 1))
  fi
}

tap_diag() { sed 's/^/# /'; }

tap_done() {
  echo "1..$TAP_COUNT"
  [ "$TAP_FAILED" -eq 0 ]
}

# start_listening LOG COMMAND...: starts a server in the background, its output
# in LOG, and waits for its "listening on URL" line; sets LISTEN_PID and
# LISTEN_URL. Returns 1, with the log as diagnostics, if it did not start.
start_listening() {
  local log=$1
  shift
  : >"$log"
  "$@" >"$log" 2>&1 &
  LISTEN_PID=$!
  LISTEN_URL=
  for _ in $(seq 200); do
    LISTEN_URL=$(sed -n 's/^listening on \(wss*:\/\/[^ ]*\)$/\1/p' "$log")
    [ -n "$LISTEN_URL" ] && return 0
    kill -0 "$LISTEN_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "# $1 did not start:" && tap_diag <"$log"
  return 1
}

# start_echo [ARGS...]: starts the echo server on a free port; sets ECHO_PID, ECHO_URL.
start_echo() {
  ECHO_LOG=$(mktemp)
  start_listening "$ECHO_LOG" "$WSCONFORM_BIN" echo --listen 127.0.0.1:0 "$@"
  local started=$?
  ECHO_PID=$LISTEN_PID
  ECHO_URL=$LISTEN_URL
  return $started
}

# stop_pid [PID...]: stops background processes and waits for them; empty
# arguments are skipped.
stop_pid() {
  local pid
  for pid in "$@"; do
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  return 0
}

stop_echo() {
  stop_pid "${ECHO_PID:-}"
  ECHO_PID=
  rm -f "${ECHO_LOG:-}"
}

# verdict_of DIR ID -> "OUTCOME|CLOSE_OUTCOME|RFC|REASON" of one case in DIR/results.json
verdict_of() {
  "$PYTHON" - "$1/results.json" "$2" <<'PY'
import json, sys
try:
    data = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    print(f"NO RESULTS|||{e}")
    sys.exit()
for c in data["cases"]:
    if c["id"] == sys.argv[2]:
        print(f'{c["outcome"]}|{c["close_outcome"]}|{c["rfc"]}|{c["reason"]}')
        break
else:
    print("MISSING|||")
PY
}
