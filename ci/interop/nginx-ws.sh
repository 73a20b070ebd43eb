#!/usr/bin/env bash
# Debian's nginx as a reverse proxy in front of the npm ws echo server
# (ws-echo.mjs), forwarding the Upgrade.
#
# Usage: nginx-ws.sh [PORT]   (default 0: a free port)
# Starts ws-echo.mjs on a free port, writes nginx-ws.conf.in into a temporary
# prefix directory (config, pid, logs and temp paths all there: nothing under
# /etc or /var is used), starts nginx in the foreground on 127.0.0.1:PORT,
# prints "version NGINX+ws-WS" and then "listening on ws://127.0.0.1:PORT/"
# once nginx accepts connections. On SIGTERM or SIGINT it stops both by their
# pids and removes the directory. nginx's errors go to stderr and to
# error.log in that directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
port=${1:-0}
[ "$port" != 0 ] || port=$("$here/free-port.py") || exit 1
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "nginx-ws.sh: nginx is not installed" >&2; exit 1; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)

prefix=$(mktemp -d "${TMPDIR:-/tmp}/wsconform-nginx.XXXXXX") || exit 1
# Workers run as nobody when the master is root: they must reach the prefix.
chmod 755 "$prefix"
upstream_pid="" nginx_pid=""
# shellcheck disable=SC2317  # called from the traps
cleanup() {
  local p
  for p in $nginx_pid $upstream_pid; do kill "$p" 2>/dev/null; done
  for p in $nginx_pid $upstream_pid; do wait "$p" 2>/dev/null; done
  rm -rf "$prefix"
}
trap 'cleanup; exit 0' TERM INT
trap cleanup EXIT

node "$here/ws-echo.mjs" 0 >"$prefix/upstream.log" 2>&1 &
upstream_pid=$!
upstream="" ws_version=""
for _ in $(seq 200); do
  upstream=$(sed -n 's/^listening on ws:\/\/127\.0\.0\.1:\([0-9]*\)\/$/\1/p' "$prefix/upstream.log")
  [ -n "$upstream" ] && break
  kill -0 "$upstream_pid" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$upstream" ]; then
  echo "nginx-ws.sh: ws-echo.mjs did not start:" >&2
  cat "$prefix/upstream.log" >&2
  exit 1
fi
ws_version=$(sed -n 's/^version \(.*\)$/\1/p' "$prefix/upstream.log")

sed -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|$port|g" -e "s|@UPSTREAM@|$upstream|g" \
  "$here/nginx-ws.conf.in" >"$prefix/nginx.conf"
"$nginx" -e stderr -p "$prefix" -c "$prefix/nginx.conf" &
nginx_pid=$!
for _ in $(seq 100); do
  kill -0 "$nginx_pid" 2>/dev/null || { echo "nginx-ws.sh: nginx exited" >&2; exit 1; }
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done
nginx_version=$("$nginx" -v 2>&1 | sed -n 's|^nginx version: nginx/||p')
echo "version $nginx_version+ws-$ws_version"
echo "listening on ws://127.0.0.1:$port/"
wait "$nginx_pid"
echo "nginx-ws.sh: nginx exited" >&2
exit 1
