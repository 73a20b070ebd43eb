#!/usr/bin/env bash
# Real client libraries against the reference echo server, as TAP: Debian's
# python3-websockets and the npm `ws` package (installed into build/npm).
# A missing library is a failure, not a skip: CI installs both.
#
# WSCONFORM_BIN names the program (default build/wsconform).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
bin=${WSCONFORM_BIN:-build/wsconform}
python=/usr/bin/python3 # the Debian interpreter, which sees python3-websockets
export NODE_PATH="$root/build/npm/node_modules${NODE_PATH:+:$NODE_PATH}"

count=0
failed=0
tap() { # ok|fail description
    count=$((count + 1))
    if [ "$1" = ok ]; then
        echo "ok $count - $2"
    else
        echo "not ok $count - $2"
        failed=1
    fi
}
finish() {
    echo "1..$count"
    exit "$failed"
}

work=$(mktemp -d)
server=
cleanup() {
    if [ -n "$server" ]; then
        kill -TERM "$server" 2>/dev/null
        wait "$server" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" echo --listen 127.0.0.1:0 >"$work/out" 2>"$work/err" &
server=$!
url=
for _ in $(seq 100); do
    url=$(sed -n 's|^listening on \(ws://.*\)$|\1|p' "$work/out")
    [ -n "$url" ] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.05
done
if [ -z "$url" ]; then
    tap fail "echo server started ($bin)"
    sed 's/^/# /' "$work/err"
    finish
fi
tap ok "echo server listening on $url"

# Runs a client that prints "ok - ..." / "not ok - ..." lines and numbers them.
run_client() { # name command...
    local name=$1
    shift
    "$@" "$url" >"$work/client.out" 2>"$work/client.err"
    local status=$?
    while IFS= read -r line; do
        case $line in
        "ok - "*) tap ok "${line#ok - }" ;;
        "not ok - "*) tap fail "${line#not ok - }" ;;
        *) echo "# $line" ;;
        esac
    done <"$work/client.out"
    sed 's/^/# /' "$work/client.err"
    if [ "$status" -eq 0 ]; then
        tap ok "$name client finished without failures"
    else
        tap fail "$name client finished without failures (exit status $status)"
    fi
}

run_client "python3-websockets" "$python" tests/interop/python_client.py
run_client "npm ws" node tests/interop/node_client.mjs

kill -TERM "$server"
wait "$server"
status=$?
server=
if [ "$status" -eq 0 ]; then
    tap ok "echo server exited with status 0 on SIGTERM"
else
    tap fail "echo server exited with status 0 on SIGTERM (status $status)"
    sed 's/^/# /' "$work/err"
fi
finish
