# Shared by the TAP scripts: a loopback echo server started and stopped by pid,
# and TAP output helpers. Source it; WSCONFORM_BIN names the program.
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

# start_echo [ARGS...]: starts the echo server on a free port; sets ECHO_PID, ECHO_URL.
start_echo() {
  ECHO_LOG=$(mktemp)
  "$WSCONFORM_BIN" echo --listen 127.0.0.1:0 "$@" >"$ECHO_LOG" 2>&1 &
  ECHO_PID=$!
  ECHO_URL=
  for _ in $(seq 200); do
    ECHO_URL=$(sed -n 's/^listening on \(wss*:\/\/[^ ]*\)$/\1/p' "$ECHO_LOG")
    [ -n "$ECHO_URL" ] && return 0
    kill -0 "$ECHO_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "# echo server did not start:" && tap_diag <"$ECHO_LOG"
  return 1
}

stop_echo() {
  if [ -n "${ECHO_PID:-}" ]; then
    kill "$ECHO_PID" 2>/dev/null
    wait "$ECHO_PID" 2>/dev/null
    ECHO_PID=
  fi
  rm -f "${ECHO_LOG:-}"
}
