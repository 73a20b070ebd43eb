#!/usr/bin/env bash
# `wsconform run` as a CI script sees it: exit codes, TLS targets with
# certificate verification, and the reports it writes.
set -u
cd "$(dirname "$0")/../.."
. tests/harness/lib.sh
work=$(mktemp -d)
trap 'stop_echo; rm -rf "$work"' EXIT

# Exit 3: nothing listens on the port (the echo server picked it, then left).
start_echo || exit 1
dead_url=$ECHO_URL
stop_echo
"$WSCONFORM_BIN" run "$dead_url" --cases '1.1.*' --out "$work/dead" >"$work/out" 2>&1
tap_ok $(( $? != 3 )) "an unreachable target exits 3"
grep -q "cannot reach" "$work/out"; tap_ok $? "and says it cannot reach the target"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d["target_state"] == "unreachable", d["target_state"]
assert d["summary"]["NOT RUN"] == 8 and d["summary"]["FAILED"] == 0, d["summary"]
assert all(c["outcome"] == "NOT RUN" and not c["failed"] for c in d["cases"])' "$work/dead/results.json"
tap_ok $? "results.json marks its 8 cases NOT RUN, none FAILED, target_state unreachable"

# Exit 3: an HTTP server that is not a WebSocket endpoint.
http_log=$(mktemp)
python3 -u -c '
import http.server, sys
s = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
print("port", s.server_address[1]); sys.stdout.flush(); s.serve_forever()' >"$http_log" 2>/dev/null &
http_pid=$!
for _ in $(seq 100); do grep -q '^port' "$http_log" && break; sleep 0.05; done
http_port=$(sed -n 's/^port //p' "$http_log")
"$WSCONFORM_BIN" run "ws://127.0.0.1:$http_port/" --cases '1.*' >"$work/out" 2>&1
rc=$?
stop_pid "$http_pid"; rm -f "$http_log"
tap_ok $(( rc != 3 )) "a plain HTTP server exits 3 (exit $rc)"
grep -q "is not a WebSocket endpoint: it answered a valid opening handshake with HTTP 200" "$work/out"
tap_ok $? "and says it is not a WebSocket endpoint, with the status it answered"

# Exit 2: usage and case-file errors, with file:line.
"$WSCONFORM_BIN" run "http://127.0.0.1:1/" >"$work/out" 2>&1
tap_ok $(( $? != 2 )) "a URL that is not ws:// or wss:// exits 2"
"$WSCONFORM_BIN" run "ws://127.0.0.1:1/" --jobs 0 >"$work/out" 2>&1
tap_ok $(( $? != 2 )) "--jobs 0 exits 2"
"$WSCONFORM_BIN" run "ws://127.0.0.1:1/" --ca /dev/null >"$work/out" 2>&1
tap_ok $(( $? != 2 )) "--ca with a ws:// URL exits 2"
grep -q -- "--ca applies to wss:// URLs only" "$work/out"; tap_ok $? "and says why"
touch "$work/file"
"$WSCONFORM_BIN" run "ws://127.0.0.1:1/" --out "$work/file/sub" >"$work/out" 2>&1
tap_ok $(( $? != 2 )) "an --out directory that cannot be created exits 2 before anything runs"
mkdir -p "$work/bad"
printf 'case X.1\n  title t\n  rfc 5.2\n  require r\n  send text rsv=9\n' >"$work/bad/x.case"
"$WSCONFORM_BIN" run "ws://127.0.0.1:1/" --cases-dir "$work/bad" >"$work/out" 2>&1
rc=$?
tap_ok $(( rc != 2 )) "a malformed case file exits 2 before anything runs"
grep -q "x.case:5: expected rsv=0..7" "$work/out"; tap_ok $? "with file:line and what was expected"
"$WSCONFORM_BIN" check "$work/bad/x.case" >/dev/null 2>&1
tap_ok $(( $? != 2 )) "wsconform check exits 2 on it too"

# Exit 0 and 1, TAP on stdout, reports written.
start_echo || exit 1
"$WSCONFORM_BIN" run "$ECHO_URL" --cases '1.1.*' --tap --out "$work/ok" >"$work/tap" 2>/dev/null
tap_ok $? "a passing selection exits 0"
head -1 "$work/tap" | grep -q "TAP version 14" && grep -q "^1\.\.8$" "$work/tap"
tap_ok $? "--tap prints TAP 14 with a plan of 8"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["summary"]["OK"] == 8 and len(d["cases"]) == 8' \
  "$work/ok/results.json"
tap_ok $? "results.json holds the 8 cases, all OK"
[ -s "$work/ok/results.tap" ] && [ -s "$work/ok/cases/1.1.1.json" ]
tap_ok $? "results.tap and per-case details are written"
# A case that sets its own key: the response must answer that key (§4.1 item 4).
mkdir -p "$work/key"
cat >"$work/key/k.case" <<'CASE'
case K.1
  title the RFC's sample key, set by the case
  rfc 4.1
  require The client MUST validate the server's response.
  request header set Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
  send text "hello"
  expect OK: message text echo
CASE
"$WSCONFORM_BIN" run "$ECHO_URL" --cases-dir "$work/key" --out "$work/key/out" >/dev/null 2>&1
rc=$?
tap_ok $rc "an edited Sec-WebSocket-Key is the one the Accept value is checked against"
[ $rc -eq 0 ] || python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cases"][0]["reason"])' \
  "$work/key/out/results.json" 2>&1 | tap_diag
# A case that offers permessage-deflate itself: the 101 agreed, so the
# compressed echo is inflated, not taken for RSV1 without an extension.
mkdir -p "$work/pmd"
cat >"$work/pmd/p.case" <<'CASE'
case P.1
  title a compressed echo after an offer made by a header edit
  rfc 7.2
  require An endpoint MUST use RSV1 only on the first frame of a compressed message.
  request header add Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits
  send text repeat("hello ", 1000)
  expect OK: message text echo
CASE
"$WSCONFORM_BIN" run "$ECHO_URL" --cases-dir "$work/pmd" --out "$work/pmd/out" >"$work/out" 2>&1
tap_ok $? "a custom permessage-deflate offer: the compressed echo passes"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d["compressed"] is True
first = d["frames"]["in"]["list"][0]
assert first["opcode"] == "text" and first["rsv"] == 4 and first["length"] < 6000, first' \
  "$work/pmd/out/cases/P.1.json"
tap_ok $? "its detail says compressed and shows the RSV1 frame, decoded, smaller than the text"

# A case no acceptable sequence can follow any more ends at once, not at its
# 10 s kill timer: the echo of "a" can never be the "b" it expects.
mkdir -p "$work/early"
cat >"$work/early/e.case" <<'CASE'
case E.1
  title an echo that cannot match
  rfc 5.6
  require r
  send text "a"
  expect OK: message text "b"
  kill 10s
CASE
"$WSCONFORM_BIN" run "$ECHO_URL" --cases-dir "$work/early" --jobs 1 --out "$work/early/out" \
  >"$work/out" 2>&1
tap_ok $(( $? != 1 )) "a case whose events cannot match fails"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d["decided_early"] and d["duration_ms"] < 2000 and "kill" not in d["timers_fired"], d
assert "the suite closed at once" in d["reason"] and d["close_outcome"] == "OK", d["reason"]' \
  "$work/early/out/cases/E.1.json"
tap_ok $? "and ends at once, not at its kill timer, with a clean close"

# A long case that fails in a parallel run: kept when the heartbeat shows the
# target answering pings promptly all the while, played again alone when the
# target answers no ping (so nothing shows it was not just slow).
mkdir -p "$work/long"
cat >"$work/long/l.case" <<'CASE'
case LONG.1
  title a case that fails after ten seconds
  rfc 5.6
  require r
  wait 10s still-open
  expect OK: nothing
  kill 20s
case LONG.2
  title an echo beside it
  rfc 5.6
  require r
  send text "a"
  expect OK: message text echo
CASE
stop_echo
start_echo || exit 1
"$WSCONFORM_BIN" run "$ECHO_URL" --cases-dir "$work/long" --jobs 4 --out "$work/long/pong" \
  >/dev/null 2>&1 &
long_pid=$!
long_url=$ECHO_URL
long_echo=$ECHO_PID
ECHO_PID=
start_echo --break no-pong || exit 1
"$WSCONFORM_BIN" run "$ECHO_URL" --cases-dir "$work/long" --jobs 4 --out "$work/long/nopong" \
  >/dev/null 2>&1
wait "$long_pid"
stop_pid "$long_echo"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["cases"][0]
assert c["outcome"] == "FAILED" and c.get("heartbeat_checked") and not c.get("rerun_alone"), c' \
  "$work/long/pong/results.json"
tap_ok $? "a 10 s case failing in parallel is kept when the heartbeat was answered (not played again)"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["cases"][0]
assert c["outcome"] == "FAILED" and c.get("rerun_alone") and not c.get("heartbeat_checked"), c' \
  "$work/long/nopong/results.json"
tap_ok $? "and played again alone when the target answered no heartbeat ping"
stop_echo
ECHO_URL=$long_url
start_echo || exit 1

# Ctrl-C: the finished cases are kept, the rest NOT RUN, exit 130.
mkdir -p "$work/slow"
cat >"$work/slow/s.case" <<'CASE'
case S.1
  title an echo
  rfc 5.6
  require r
  send text "a"
  expect OK: message text echo
case S.2
  title a case that waits
  rfc 5.6
  require r
  wait 20s
  kill 30s
CASE
"$WSCONFORM_BIN" run "$ECHO_URL" --cases-dir "$work/slow" --jobs 1 --out "$work/slow/out" \
  >"$work/out" 2>&1 &
run_pid=$!
sleep 1
kill -INT "$run_pid"
wait "$run_pid"
rc=$?
tap_ok $(( rc != 130 )) "SIGINT during a run exits 130 (exit $rc)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
v = {c["id"]: c["outcome"] for c in d["cases"]}
assert d["target_state"] == "interrupted" and v == {"S.1": "OK", "S.2": "NOT RUN"}, (d["target_state"], v)' \
  "$work/slow/out/results.json"
tap_ok $? "and writes results.json: the finished case kept, the running one NOT RUN"
stop_echo
start_echo --break no-pong || exit 1
"$WSCONFORM_BIN" run "$ECHO_URL" --cases 2.2 >/dev/null 2>&1
tap_ok $(( $? != 1 )) "a failing case exits 1"
stop_echo

# TLS: a throwaway certificate for 127.0.0.1.
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" \
    >/dev/null 2>&1
  start_echo --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" || exit 1
  case "$ECHO_URL" in wss://*) tap_ok 0 "the TLS echo server announces wss://" ;;
                       *) tap_ok 1 "the TLS echo server announces wss://" ;; esac
  "$WSCONFORM_BIN" run "$ECHO_URL" --cases '1.*,2.*' --ca "$work/cert.pem" >"$work/out" 2>&1
  tap_ok $? "wss:// with --ca: the cases pass over TLS"
  "$WSCONFORM_BIN" run "$ECHO_URL" --cases 1.1.1 >"$work/out" 2>&1
  rc=$?
  grep -q "TLS handshake with .* failed: TLS certificate rejected" "$work/out"
  tap_ok $(( rc != 3 || $? != 0 )) "an untrusted certificate exits 3, naming the certificate"
  "$WSCONFORM_BIN" run "$ECHO_URL" --cases 1.1.1 --insecure >/dev/null 2>&1
  tap_ok $? "--insecure skips verification"
  stop_echo
else
  echo "ok $((TAP_COUNT + 1)) # SKIP openssl command not installed"; TAP_COUNT=$((TAP_COUNT + 1))
fi
tap_done
