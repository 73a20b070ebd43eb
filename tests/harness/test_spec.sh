#!/usr/bin/env bash
# `wsconform run --spec FILE`: Autobahn's fuzzingclient.json as it is — its
# servers in turn, Autobahn's case-pattern rules, agents named by the spec or
# by the Server header, one report of all agents in outdir — and bad spec
# files, each a clear error with the file (and line and column) and exit 2.
set -u
cd "$(dirname "$0")/../.."
. tests/harness/lib.sh
work=$(mktemp -d)
broken_pid=
trap 'stop_echo; stop_pid "$broken_pid"; rm -rf "$work"' EXIT

start_echo || exit 1
start_listening "$work/broken.log" "$WSCONFORM_BIN" echo --listen 127.0.0.1:0 --break utf8 || exit 1
broken_pid=$LISTEN_PID
broken_url=$LISTEN_URL

# ids NAME DIR -> the case ids of a run, comma-separated
ids() { python3 -c 'import json,sys; print(",".join(c["id"] for c in json.load(open(sys.argv[1]))["cases"]))' "$1/results.json"; }

cat >"$work/spec.json" <<JSON
{
   "outdir": "$work/out",
   "options": {"failByDrop": false},
   "servers": [
      {"agent": "Strict Echo/1.0", "url": "$ECHO_URL", "options": {"version": 18}},
      {"url": "$broken_url"}
   ],
   "cases": ["1*", "6.3.*", "9.1.1"],
   "exclude-cases": ["1.2.*", "10.*", "12.*", "13.*"],
   "exclude-agent-cases": {"Unknown*": ["6.3.1", "1.1"]}
}
JSON
"$WSCONFORM_BIN" run --spec "$work/spec.json" --timeout-scale "$SCALE" >"$work/run.out" 2>"$work/run.err"
rc=$?
tap_ok $(( rc != 1 )) "a spec with a server that fails a case exits 1 (exit $rc)"
[ -f "$work/out/strict_echo_1_0/results.json" ] && [ -f "$work/out/unknownserver/results.json" ]
tap_ok $? "each agent's run is in outdir, in a folder named as Autobahn names report files"
# "1*" is open at its end (1.1.x and 10.x), "6.3.*" and "9.1.1" as written,
# exclude-cases removed 1.2.* and 10.*; Unknown* (anchored) drops 6.3.1, but
# "1.1" (anchored, no '*') matches no id of the library.
want_strict="1.1.1,1.1.2,1.1.3,1.1.4,1.1.5,1.1.6,1.1.7,1.1.8,6.3.1,6.3.2,9.1.1"
got=$(ids "$work/out/strict_echo_1_0")
tap_ok "$([ "$got" = "$want_strict" ]; echo $?)" "Autobahn's pattern rules select the cases of the named agent"
[ "$got" = "$want_strict" ] || echo "# got $got"
got=$(ids "$work/out/unknownserver")
want_unknown=${want_strict/6.3.1,/}
tap_ok "$([ "$got" = "$want_unknown" ]; echo $?)" "exclude-agent-cases applies to the agent its anchored pattern matches"
[ "$got" = "$want_unknown" ] || echo "# got $got"
python3 -c 'import json,sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert a["agent"] == "Strict Echo/1.0", a["agent"]
assert b["agent"] == "UnknownServer", b["agent"]' \
  "$work/out/strict_echo_1_0/results.json" "$work/out/unknownserver/results.json"
tap_ok $? "the agents are the spec's, and UnknownServer for a server with neither agent nor Server header"
[ "$(verdict_of "$work/out/unknownserver" 6.3.2 | cut -d'|' -f1)" = FAILED ] &&
  [ "$(verdict_of "$work/out/strict_echo_1_0" 6.3.2 | cut -d'|' -f1)" = OK ]
tap_ok $? "each server is judged on its own (6.3.2: FAILED on --break utf8, OK on the echo server)"
grep -q '"options" has no effect here' "$work/run.err" && grep -q 'servers\[0\].options has no effect here' "$work/run.err"
tap_ok $? "keys with no effect (Autobahn's protocol options) are named on stderr"
grep -q "^reports of 2 agents in $work/out\$" "$work/run.out"
tap_ok $? "one report of both agents is written to outdir"
python3 -c 'import json,sys
idx = json.load(open(sys.argv[1]))
assert sorted(idx) == ["Strict Echo/1.0", "UnknownServer"], sorted(idx)
assert "6.3.1" not in idx["UnknownServer"] and "6.3.1" in idx["Strict Echo/1.0"]' "$work/out/index.json"
tap_ok $? "outdir/index.json is Autobahn's, keyed by both agents"
grep -q 'UnknownServer' "$work/out/index.html"
tap_ok $? "outdir/index.html shows both agents"

# A server that names itself: its Server header becomes the agent (Debian's
# python3-websockets sends "Python/X websockets/Y"), in the spec and in a
# plain run without --agent.
start_listening "$work/pyws.log" /usr/bin/python3 ci/interop/websockets-echo.py 0 || exit 1
pyws_pid=$LISTEN_PID
printf '{"outdir": "%s", "servers": [{"url": "%s"}], "cases": ["1.1.1"]}' "$work/named" "$LISTEN_URL" >"$work/named.json"
"$WSCONFORM_BIN" run --spec "$work/named.json" --timeout-scale "$SCALE" >/dev/null 2>&1
python3 -c 'import json,sys,re
idx = json.load(open(sys.argv[1]))
assert len(idx) == 1 and re.fullmatch(r"Python/\S+ websockets/\S+", list(idx)[0]), list(idx)' "$work/named/index.json"
tap_ok $? "a server without an agent in the spec is named by its Server header"
"$WSCONFORM_BIN" run "$LISTEN_URL" --cases 1.1.1 --out "$work/plain" --timeout-scale "$SCALE" >/dev/null 2>&1
grep -q '"agent":[[:space:]]*"Python/[^ ]* websockets/' "$work/plain/results.json"
tap_ok $? "and so is the agent of a run without --agent"
stop_pid "$pyws_pid"

# --out overrides outdir.
"$WSCONFORM_BIN" run --spec "$work/spec.json" --out "$work/elsewhere" --timeout-scale "$SCALE" >/dev/null 2>&1
[ -f "$work/elsewhere/index.json" ] && [ -f "$work/elsewhere/unknownserver/results.json" ]
tap_ok $? "--out overrides the spec's outdir"

# Bad spec files and clashing options: exit 2 and the file named.
bad() { # bad DESCRIPTION EXPECTED_TEXT FILE_CONTENT [EXTRA ARGS...]
  local what=$1 want=$2 content=$3
  shift 3
  printf '%s' "$content" >"$work/bad.json"
  "$WSCONFORM_BIN" run --spec "$work/bad.json" "$@" >"$work/bad.out" 2>&1
  local rc=$?
  grep -qF -- "$want" "$work/bad.out"
  local found=$?
  tap_ok $(( rc != 2 || found != 0 )) "$what: exit 2 and '$want' (exit $rc)"
  [ "$found" -eq 0 ] || tap_diag <"$work/bad.out"
}
bad "an empty spec" "$work/bad.json: empty" ""
bad "a truncated spec" "$work/bad.json:2:" $'{"servers": [\n'
bad "a spec that is not JSON" "$work/bad.json:1:13: not valid JSON" '{"servers": x}'
bad "a spec that is not an object" "expected an object" '[1, 2]'
bad "a spec without servers" '"servers": expected a list of at least one server' '{"cases": ["*"]}'
bad "a server without a url" 'servers[0]: expected an object with a string "url"' '{"servers": [{"agent": "a"}]}'
bad "a regular expression as a case pattern" '"cases"[1]: expected a case pattern' \
  "{\"servers\": [{\"url\": \"$ECHO_URL\"}], \"cases\": [\"1.*\", \"1.(1|2)\"]}"
bad "an empty case list" '"cases": the list is empty' "{\"servers\": [{\"url\": \"$ECHO_URL\"}], \"cases\": []}"
bad "a bad url in a server" "ftp://x" '{"servers": [{"url": "ftp://x"}], "cases": ["1.1.1"]}'
bad "a URL beside --spec" "a URL cannot be given with it" "{\"servers\": [{\"url\": \"$ECHO_URL\"}]}" "$ECHO_URL"
bad "--cases beside --spec" "--cases cannot be given with it" "{\"servers\": [{\"url\": \"$ECHO_URL\"}]}" --cases 1.1.1
"$WSCONFORM_BIN" run --spec "$work/missing.json" >"$work/bad.out" 2>&1
rc=$?
grep -q "$work/missing.json: cannot open" "$work/bad.out"
tap_ok $(( rc != 2 || $? != 0 )) "a missing spec: exit 2 and the file named (exit $rc)"
tap_done
