#!/usr/bin/env bash
# The JUnit report as CI servers read it: valid against the JUnit schema they
# document (tests/harness/data/junit.xsd, checked with xmllint), and read back
# with junitparser with the counts, results and failure messages that
# results.json holds. A deliberately broken echo server gives every verdict:
# FAILED (RSV bits accepted, bad close payloads echoed), NON-STRICT (UTF-8
# checked only at the end of a message), UNIMPLEMENTED (no permessage-deflate)
# and INFORMATIONAL.
set -u
cd "$(dirname "$0")/../.."
. tests/harness/lib.sh
work=$(mktemp -d)
trap 'stop_echo; rm -rf "$work"' EXIT
schema=tests/harness/data/junit.xsd
cases='1.1.1,3.*,6.4.*,7.1.6,7.5.1,7.9.*,12.1.1,13.1.1,H.1.1'

# valid REPORT DESCRIPTION: xmllint's schema check as one TAP line.
valid() {
  xmllint --noout --schema "$schema" "$1" >"$work/xmllint" 2>&1
  local rc=$?
  tap_ok $rc "$2"
  [ $rc -eq 0 ] || tap_diag <"$work/xmllint"
}

# read_back REPORT [--strict] RESULTS...: junitparser's checks as TAP lines.
read_back() {
  TAP_FROM=$((TAP_COUNT + 1)) "$PYTHON" tests/harness/junit_read.py "$@" >"$work/read" 2>&1
  local rc=$? n
  n=$(sed -n 's/^checks //p' "$work/read")
  if [ -z "$n" ] || [ "$rc" -ne 0 ]; then
    tap_ok 1 "junit_read.py ran to the end (exit $rc)"
    tap_diag <"$work/read"
    return
  fi
  grep -v '^checks ' "$work/read"
  TAP_FAILED=$((TAP_FAILED + $(grep -c '^not ok' "$work/read")))
  TAP_COUNT=$n
}

start_echo --no-deflate --break rsv,late-utf8,close-payload || exit 1
"$WSCONFORM_BIN" run "$ECHO_URL" --cases "$cases" --agent 'broken echo 1.0' \
  --timeout-scale "$SCALE" --out "$work/broken" --junit "$work/run.xml" >/dev/null 2>&1
rc=$?
stop_echo
tap_ok $(( rc != 1 )) "a run against the broken echo server exits 1 (exit $rc)"
"$PYTHON" -c 'import json, sys; s = json.load(open(sys.argv[1]))["summary"]
assert all(s[v] > 0 for v in ("OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED")), s
' "$work/broken/results.json" 2>"$work/out"
tap_ok $? "and its results hold every verdict"; tap_diag <"$work/out"

"$WSCONFORM_BIN" report "$work/broken" --junit "$work/broken.xml" 2>"$work/out"
tap_ok $? "wsconform report --junit writes the report"; tap_diag <"$work/out"
cmp -s "$work/run.xml" "$work/broken.xml"
tap_ok $? "wsconform run --junit writes the same report from the run it just made"
valid "$work/broken.xml" "the report is valid against the JUnit schema"
read_back "$work/broken.xml" "$work/broken/results.json"

# --strict: NON-STRICT cases become failures.
"$WSCONFORM_BIN" report "$work/broken" --strict --junit "$work/strict.xml" 2>"$work/out"
tap_ok $? "wsconform report --strict --junit writes the report"
valid "$work/strict.xml" "the strict report is valid against the schema"
read_back "$work/strict.xml" --strict "$work/broken/results.json"
n_plain=$(grep -c '<failure ' "$work/broken.xml")
n_strict=$(grep -c '<failure ' "$work/strict.xml")
tap_ok $(( n_strict != n_plain + 4 )) \
  "with --strict the 4 NON-STRICT cases (6.4.1-6.4.4) fail too ($n_plain, then $n_strict failures)"

# The schema check can fail: a count that is not a number is refused.
sed '0,/failures="[0-9]*"/s//failures="many"/' "$work/broken.xml" >"$work/tampered.xml"
xmllint --noout --schema "$schema" "$work/tampered.xml" >/dev/null 2>&1
tap_ok $(( $? == 0 )) "xmllint refuses a report whose failure count is not a number"

# Reasons quote the target's bytes: markup, control characters and bytes that
# are not UTF-8 must leave a file every XML reader accepts.
cp -r "$work/broken" "$work/hostile"
"$PYTHON" - "$work/hostile/results.json" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path, "rb").read()
hostile = (b'peer sent <close> & \\"quotes\\" ]]> \\u0001\\u001f\\t tab \\r cr \xff\xfe\xc0\xaf '
           b'\xed\xa0\x80 \xef\xbf\xbe end')
# the reason of 3.1, the first case that failed
pattern = re.compile(rb'("reason":\s*")(expected nothing; observed message text \(13 B\))')
assert len(pattern.findall(text)) == 1, "the reason of 3.1 is not in results.json"
open(path, "wb").write(pattern.sub(lambda m: m.group(1) + hostile + b" " + m.group(2), text))
PY
tap_ok $? "a reason is made hostile in a copy of the run"
"$WSCONFORM_BIN" report "$work/hostile" --junit "$work/hostile.xml" 2>"$work/out"
tap_ok $? "a reason with markup, controls and bytes that are not UTF-8 is reported"
valid "$work/hostile.xml" "and the report is still valid XML and valid against the schema"
read_back "$work/hostile.xml" "$work/hostile/results.json"

# NOT RUN (an unreachable target): skipped, with the reason.
start_echo || exit 1
dead_url=$ECHO_URL
stop_echo
"$WSCONFORM_BIN" run "$dead_url" --cases '1.1.*' --agent dead --out "$work/dead" >/dev/null 2>&1
"$WSCONFORM_BIN" report "$work/dead" --junit "$work/dead.xml" 2>"$work/out"
tap_ok $? "a run whose cases were NOT RUN is reported"
grep -q '<skipped message="NOT RUN: not run: connect: ' "$work/dead.xml"
tap_ok $? "its cases are <skipped> with the reason they did not run"
read_back "$work/dead.xml" "$work/dead/results.json"

# Several runs: one report, suites named by agent and section.
"$WSCONFORM_BIN" report "$work/broken" "$work/dead" --junit "$work/both.xml" 2>"$work/out"
tap_ok $? "two runs go into one report"
valid "$work/both.xml" "which is valid against the schema"
grep -q '<testsuite name="broken echo 1.0: 3" ' "$work/both.xml" &&
  grep -q '<testsuite name="dead: 1" ' "$work/both.xml"
tap_ok $? "its suites are named \"AGENT: SECTION\""
read_back "$work/both.xml" "$work/broken/results.json" "$work/dead/results.json"

# The file's folder is made with its parents; a path that cannot be written
# is an error that names it.
"$WSCONFORM_BIN" report "$work/broken" --junit "$work/new/dir/r.xml" >"$work/out" 2>&1 &&
  xmllint --noout "$work/new/dir/r.xml" 2>/dev/null
tap_ok $? "a --junit file in a folder that does not exist yet is written, the folder made"
touch "$work/plain-file"
"$WSCONFORM_BIN" report "$work/broken" --junit "$work/plain-file/dir/r.xml" >"$work/out" 2>&1
rc=$?
tap_ok $(( rc != 2 )) "an unwritable --junit path exits 2 (exit $rc)"
grep -q "plain-file/dir/r.xml" "$work/out"; tap_ok $? "and names the file"

tap_done
