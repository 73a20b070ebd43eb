#!/usr/bin/env bash
# Real client libraries against the reference echo server, as TAP: Debian's
# python3-websockets and the npm `ws` package (installed into build/npm).
# A missing library is a failure, not a skip: CI installs both.
#
# WSCONFORM_BIN names the program (default build/wsconform).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
python=/usr/bin/python3 # the Debian interpreter, which sees python3-websockets
export NODE_PATH="$root/build/npm/node_modules${NODE_PATH:+:$NODE_PATH}"

. tests/harness/lib.sh
work=$(mktemp -d)
trap 'stop_echo; rm -rf "$work"' EXIT

start_echo || { tap_ok 1 "echo server started ($WSCONFORM_BIN)"; tap_done; exit 1; }
tap_ok 0 "echo server listening on $ECHO_URL"

# Runs a client that prints "ok - ..." / "not ok - ..." lines and numbers them.
run_client() { # name command...
    local name=$1
    shift
    "$@" "$ECHO_URL" >"$work/client.out" 2>"$work/client.err"
    local status=$?
    while IFS= read -r line; do
        case $line in
        "ok - "*) tap_ok 0 "${line#ok - }" ;;
        "not ok - "*) tap_ok 1 "${line#not ok - }" ;;
        *) echo "# $line" ;;
        esac
    done <"$work/client.out"
    tap_diag <"$work/client.err"
    tap_ok "$status" "$name client finished without failures (exit status $status)"
}

run_client "python3-websockets" "$python" tests/interop/python_client.py
run_client "npm ws" node tests/interop/node_client.mjs

kill -TERM "$ECHO_PID"
wait "$ECHO_PID"
status=$?
tap_ok "$status" "echo server exited with status 0 on SIGTERM (status $status)"
[ "$status" -eq 0 ] || tap_diag <"$ECHO_LOG"
ECHO_PID=
tap_done
