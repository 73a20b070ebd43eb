#!/usr/bin/env bash
# Echo server on Debian's websocketd, in front of /bin/cat as the program.
#
# Usage: websocketd-echo.sh [PORT]   (default 0: a free port)
# Listens on 127.0.0.1 only. Prints "version X" (the Debian package's; the
# binary calls itself DEVBUILD) and then "listening on ws://127.0.0.1:PORT/"
# once it accepts connections. websocketd starts one cat per connection and
# speaks lines: every message received is written to cat's stdin followed by
# a newline, and every line cat prints comes back as a text message, without
# its newline. So only text messages without a newline come back unchanged;
# binary messages never come back, and messages holding newlines come back
# split (the default text mode, as websocketd is meant to be used). Defaults;
# websocketd (Go, gorilla/websocket) has no compression or size option.
set -u
here=$(dirname "$0")
port=${1:-0}
[ "$port" != 0 ] || port=$("$here/free-port.py") || exit 1
version=$(dpkg-query -W -f='${Version}' websocketd 2>/dev/null) || { echo "websocketd-echo.sh: websocketd is not installed" >&2; exit 1; }
version=${version%%-*}

websocketd --address=127.0.0.1 --port="$port" --loglevel=error /bin/cat &
child=$!
trap 'kill "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
for _ in $(seq 100); do
  kill -0 "$child" 2>/dev/null || { echo "websocketd-echo.sh: websocketd exited" >&2; exit 1; }
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done
echo "version $version"
echo "listening on ws://127.0.0.1:$port/"
wait "$child"
