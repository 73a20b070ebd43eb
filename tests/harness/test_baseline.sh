#!/usr/bin/env bash
# Baselines: `wsconform run --baseline` against the reference echo server and
# its broken variants (regressions, improvements, unstable, new and missing
# cases, exit statuses), `wsconform baseline` (recording, unstable cases,
# notes, --update and --merge, fed back to the gate) and `wsconform diff`;
# every bad input file is refused with exit 2 and its name.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/harness/lib.sh
data=tests/harness/data/baseline
work=$(mktemp -d)
trap 'stop_echo; rm -rf "$work"' EXIT

# play NAME ARGS...: a run against the echo server into $work/NAME; its stdout
# in $work/NAME.out, stderr in NAME.err, exit status in rc.
play() {
  local name=$1
  shift
  "$WSCONFORM_BIN" run "$ECHO_URL" --agent fixture --out "$work/$name" --timeout-scale "$SCALE" \
    "$@" >"$work/$name.out" 2>"$work/$name.err"
  rc=$?
}

# json_is FILE EXPR VALUE: the Python expression EXPR over the JSON file (as d)
# prints VALUE.
json_is() {
  [ "$("$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
       "$1" "$2" 2>&1)" = "$3" ]
}

# has_line FILE LINE: FILE holds exactly this line.
has_line() { grep -Fxq -- "$2" "$1"; }

# show FILE...: the files as TAP diagnostics.
show() { cat "$@" | tap_diag; }

# expect_status GOT WANT DESCRIPTION [FILE...]: the files are shown on failure.
expect_status() {
  local got=$1 want=$2 what=$3
  shift 3
  tap_ok $(( got != want )) "$what (exit $got, expected $want)"
  [ "$got" -eq "$want" ] || show "$@"
}

selection='1.1.1,1.1.2,1.1.3,1.1.4,2.2,2.3,X.9'

# --- the gate against the strict server ---------------------------------
cat >"$work/gate.json" <<'EOF'
{
  "agent": "fixture",
  "cases": {
    "1.1.1": {"outcome": "OK", "close_outcome": "OK"},
    "1.1.2": {"outcome": "FAILED", "close_outcome": "OK", "note": "expected to fail"},
    "1.1.3": {"unstable": true, "seen": [["NON-STRICT", "OK"], ["OK", "OK"]], "note": "timing-dependent"},
    "1.1.4": {"unstable": true, "note": "any verdict: timing-dependent"},
    "2.2": {"unstable": true, "seen": [["FAILED", "OK"]], "note": "seen failing only"},
    "X.9": {"outcome": "OK", "close_outcome": "OK"},
    "Y.1": {"outcome": "OK", "close_outcome": "OK"}
  }
}
EOF
grep -v '"X.9"' "$work/gate.json" >"$work/gate-no-missing.json"

start_echo || exit 1
play strict --cases "$selection" --baseline "$work/gate.json"
expect_status $rc 1 "a case of the baseline missing from the run fails the gate" "$work/strict.out" "$work/strict.err"
out=$work/strict.out
has_line "$out" "IMPROVED 1.1.2: expected FAILED/OK, got OK/OK"
tap_ok $? "a verdict better than expected is an improvement"
has_line "$out" "IMPROVED 2.2: expected FAILED/OK, got OK/OK"
tap_ok $? "an unstable case better than every verdict seen is an improvement"
has_line "$out" "NEW 2.3: OK/OK"
tap_ok $? "a case played but not in the baseline is new, with its verdict"
has_line "$out" "MISSING X.9: expected OK/OK, not in the run though its selection takes it"
tap_ok $? "a baseline case the selection takes but the run lacks is missing"
! grep -q 'Y\.1' "$out"
tap_ok $? "a baseline case the selection leaves out is not named"
has_line "$out" "baseline $work/gate.json: 0 regressions, 2 improvements, 1 new, 1 missing, 3 unchanged, 1 not selected"
tap_ok $? "the count line: matches, the unstable cases (seen and any) among them, and 1 not selected"
[ "$(grep -v '^[0-9]* cases in' "$out" | cut -d' ' -f1 | paste -sd' ' -)" = "IMPROVED IMPROVED NEW MISSING baseline" ]
r=$?
tap_ok $r "improvements, then new cases, then missing ones, then the count line"
[ $r -eq 0 ] || show "$out"
j=$work/strict/baseline.json
json_is "$j" 'd["counts"]' "{'regressions': 0, 'improvements': 2, 'new': 1, 'missing': 1, 'unchanged': 3, 'not_selected': 1}"
tap_ok $? "OUT/baseline.json counts the same"
json_is "$j" '[d["baseline"], d["improvements"][1]["id"], d["improvements"][1]["expected"], d["improvements"][1]["got"]]' \
  "['$work/gate.json', '2.2', [['FAILED', 'OK']], ['OK', 'OK']]"
tap_ok $? "OUT/baseline.json: an improvement with its expected verdicts and the verdict got"
json_is "$j" '[d["new"][0]["id"], d["new"][0]["got"], d["missing"][0]["id"], d["missing"][0]["expected"]]' \
  "['2.3', ['OK', 'OK'], 'X.9', [['OK', 'OK']]]"
tap_ok $? "OUT/baseline.json: the new and the missing case"

play strict-ok --cases "$selection" --baseline "$work/gate-no-missing.json"
expect_status $rc 0 "improvements and new cases do not fail the gate" "$work/strict-ok.out" "$work/strict-ok.err"

# The verdicts of this server, recorded and fed back: nothing changed.
"$WSCONFORM_BIN" baseline "$work/strict" >"$work/recorded.json" 2>"$work/recorded.err"
expect_status $? 0 "wsconform baseline records a run" "$work/recorded.err"
play again --cases "$selection" --baseline "$work/recorded.json"
expect_status $rc 0 "a recorded baseline passes against the same server" "$work/again.out"
has_line "$work/again.out" "baseline $work/recorded.json: 0 regressions, 0 improvements, 0 new, 0 missing, 6 unchanged, 0 not selected"
r=$?
tap_ok $r "... with every case unchanged"
[ $r -eq 0 ] || show "$work/again.out"
play subset --cases '1.1.1,1.1.2,1.1.3,1.1.4' --baseline "$work/recorded.json"
expect_status $rc 0 "a run of fewer cases passes: the others are not selected" "$work/subset.out"
has_line "$work/subset.out" "baseline $work/recorded.json: 0 regressions, 0 improvements, 0 new, 0 missing, 4 unchanged, 2 not selected"
tap_ok $? "... and are counted as not selected"
play excluded --cases "$selection" --exclude '2.*' --baseline "$work/recorded.json"
has_line "$work/excluded.out" "baseline $work/recorded.json: 0 regressions, 0 improvements, 0 new, 0 missing, 4 unchanged, 2 not selected"
tap_ok $? "cases left out by --exclude are not selected either"
play pair --cases '1.1.1,2.2'
play other-agent --cases '1.1.1' --agent other
stop_echo

# --- regressions against broken servers ---------------------------------
cat >"$work/expect-ok.json" <<'EOF'
{"cases": {"1.1.1": {"outcome": "OK", "close_outcome": "OK"}, "2.2": {"outcome": "OK", "close_outcome": "OK"}}}
EOF
cat >"$work/expect-unstable.json" <<'EOF'
{"cases": {"1.1.1": {"outcome": "OK", "close_outcome": "OK"},
           "2.2": {"unstable": true, "seen": [["OK", "OK"], ["FAILED", "OK"]], "note": "pongs are sometimes lost"}}}
EOF
start_echo --break no-pong || exit 1
play no-pong --cases '1.1.1,2.2' --baseline "$work/expect-ok.json"
expect_status $rc 1 "a case worse than expected fails the gate" "$work/no-pong.out" "$work/no-pong.err"
grep -q '^REGRESSION 2.2: expected OK/OK, got FAILED/OK: .*expected pong echo' "$work/no-pong.out"
tap_ok $? "the regression is named with both verdicts and the reason"
json_is "$work/no-pong/baseline.json" '[(r["id"], r["expected"], r["got"]) for r in d["regressions"]]' \
  "[('2.2', [['OK', 'OK']], ['FAILED', 'OK'])]"
tap_ok $? "OUT/baseline.json lists the regression"
play no-pong-unstable --cases '1.1.1,2.2' --baseline "$work/expect-unstable.json"
expect_status $rc 0 "an unstable case matches its failing verdict" "$work/no-pong-unstable.out"
play no-pong-self --cases '1.1.1,2.2'
"$WSCONFORM_BIN" baseline "$work/no-pong-self" >"$work/no-pong-recorded.json" 2>/dev/null
play no-pong-again --cases '1.1.1,2.2' --baseline "$work/no-pong-recorded.json"
expect_status $rc 0 "a failing case the baseline expects passes the gate" "$work/no-pong-again.out"
stop_echo
start_echo || exit 1
play pair-unstable --cases '1.1.1,2.2' --baseline "$work/expect-unstable.json"
expect_status $rc 0 "an unstable case matches its passing verdict too" "$work/pair-unstable.out"
stop_echo

# Better in one dimension and worse in the other is a regression.
cat >"$work/expect-failed.json" <<'EOF'
{"cases": {"1.1.1": {"outcome": "FAILED", "close_outcome": "OK", "note": "fails"}}}
EOF
start_echo --break no-close-reply || exit 1
play no-close --cases '1.1.1' --baseline "$work/expect-failed.json"
stop_echo
expect_status $rc 1 "a better outcome with a worse close verdict fails the gate" "$work/no-close.out"
grep -q '^REGRESSION 1.1.1: expected FAILED/OK, got OK/UNCLEAN: ' "$work/no-close.out"
tap_ok $? "... as a regression"

# --- wsconform baseline ---------------------------------------------------
"$WSCONFORM_BIN" baseline --check "$work/gate.json" "$work/strict" --json "$work/check.json" >"$work/check.out" 2>&1
expect_status $? 1 "baseline --check over a finished run: the missing case fails it" "$work/check.out"
cmp -s <(grep -v '^[0-9]* cases in' "$work/strict.out") "$work/check.out" && cmp -s "$work/check.json" "$work/strict/baseline.json"
tap_ok $? "... with the same lines and JSON as run --baseline"
"$WSCONFORM_BIN" baseline --check "$work/expect-ok.json" "$work/no-pong-self" >"$work/check.out" 2>&1
expect_status $? 1 "baseline --check: a regression" "$work/check.out"
"$WSCONFORM_BIN" baseline --check "$work/no-pong-recorded.json" "$work/no-pong-self" >"$work/check.out" 2>&1
expect_status $? 0 "baseline --check: no regression" "$work/check.out"
"$WSCONFORM_BIN" baseline --check "$work/gate.json" "$work/strict" "$work/pair" >/dev/null 2>&1
expect_status $? 2 "baseline --check takes one run"

"$WSCONFORM_BIN" baseline "$work/pair" "$work/no-pong-self" >"$work/two.json" 2>"$work/two.err"
expect_status $? 0 "wsconform baseline records two runs" "$work/two.err"
json_is "$work/two.json" '[d["agent"], d["runs"], d["cases"]["1.1.1"], d["cases"]["2.2"]]' \
  "['fixture', 2, {'outcome': 'OK', 'close_outcome': 'OK'}, {'unstable': True, 'seen': [['FAILED', 'OK'], ['OK', 'OK']], 'note': 'verdicts differ between runs'}]"
tap_ok $? "verdicts that differ between runs make the case unstable, every verdict seen, with a note"
# a head line per key (agent, wsconform, runs, comment), "cases": {, the
# two cases, and the two closing braces: each case whole on its line
[ "$(grep -c '^    "[^"]*": {.*},\{0,1\}$' "$work/two.json")" -eq 2 ] && [ "$(wc -l <"$work/two.json")" -eq 10 ]
tap_ok $? "one case per line"
grep -q 'unstable: 2.2' "$work/two.err"
r=$?
tap_ok $r "the unstable cases are named on stderr"
[ $r -eq 0 ] || show "$work/two.err"

cat >"$work/old.json" <<'EOF'
{
  "server": "echo",
  "agent": "fixture",
  "runs": 3,
  "comment": "reviewed",
  "cases": {
    "1.1.1": {"unstable": true, "note": "any verdict: a \"late\" close — timing"},
    "2.2": {"outcome": "FAILED", "close_outcome": "OK", "note": "no pong: the server's fault"},
    "9.9": {"outcome": "OK", "close_outcome": "OK"}
  }
}
EOF
"$WSCONFORM_BIN" baseline --update "$work/old.json" "$work/pair" "$work/no-pong-self" >"$work/updated.json" 2>/dev/null
json_is "$work/updated.json" '[d["server"], d["comment"], d["runs"], d["cases"]["2.2"]["note"], "9.9" in d["cases"]]' \
  "['echo', 'reviewed', 2, \"no pong: the server's fault\", False]"
tap_ok $? "--update keeps the server, the comment and the notes of the old baseline"
"$WSCONFORM_BIN" baseline --update "$work/old.json" --merge "$work/pair" >"$work/merged.json" 2>/dev/null
json_is "$work/merged.json" '[d["runs"], d["cases"]["2.2"], d["cases"]["9.9"]]' \
  "[4, {'unstable': True, 'seen': [['FAILED', 'OK'], ['OK', 'OK']], 'note': \"no pong: the server's fault\"}, {'outcome': 'OK', 'close_outcome': 'OK'}]"
tap_ok $? "--merge counts the old verdicts and runs as seen, keeps its other cases"
json_is "$work/merged.json" 'd["cases"]["1.1.1"] == {"unstable": True, "note": "any verdict: a \"late\" close \u2014 timing"}' True
tap_ok $? "--merge keeps an unstable case without \"seen\" as it was (its note escaped and in UTF-8)"
"$WSCONFORM_BIN" baseline --update "$work/old.json" "$work/pair" >"$work/replaced.json" 2>/dev/null
json_is "$work/replaced.json" '[d["cases"]["2.2"], d["cases"]["1.1.1"]]' \
  "[{'outcome': 'OK', 'close_outcome': 'OK'}, {'outcome': 'OK', 'close_outcome': 'OK'}]"
tap_ok $? "without --merge the runs replace the old verdicts (an OK case drops its note)"

"$WSCONFORM_BIN" baseline "$work/pair" "$work/other-agent" >/dev/null 2>"$work/agents.err"
expect_status $? 2 "wsconform baseline refuses runs of different agents" "$work/agents.err"
grep -q "$work/other-agent/results.json: agent \"other\"" "$work/agents.err"
tap_ok $? "... naming the run"
"$WSCONFORM_BIN" baseline --merge "$work/pair" >/dev/null 2>&1
expect_status $? 2 "wsconform baseline --merge without --update is a usage error"

# --- wsconform diff -------------------------------------------------------
"$WSCONFORM_BIN" diff "$work/pair" "$work/no-pong-self" >"$work/diff.out" 2>&1
expect_status $? 1 "wsconform diff: a changed verdict" "$work/diff.out"
has_line "$work/diff.out" "CHANGED 2.2: OK/OK -> FAILED/OK (worse)"
tap_ok $? "... is shown as worse"
grep -q '^  B: .*expected pong echo' "$work/diff.out" && has_line "$work/diff.out" "  A: (no reason given)"
tap_ok $? "... with the reason of each run"
has_line "$work/diff.out" "diff $work/pair/results.json $work/no-pong-self/results.json: 1 changed (0 better, 1 worse, 0 reason only), 0 only in A, 0 only in B, 1 unchanged"
tap_ok $? "... and counted"
"$WSCONFORM_BIN" diff "$work/no-pong-self/results.json" "$work/pair" >"$work/diff-back.out" 2>&1
has_line "$work/diff-back.out" "CHANGED 2.2: FAILED/OK -> OK/OK (better)"
tap_ok $? "the other way round it is better (results.json accepted as well as the folder)"
"$WSCONFORM_BIN" diff "$work/strict" "$work/again" >"$work/diff-same.out" 2>&1
expect_status $? 0 "wsconform diff of runs with the same verdicts" "$work/diff-same.out"
"$WSCONFORM_BIN" diff "$work/strict" "$work/pair" >"$work/diff-sel.out" 2>&1
expect_status $? 1 "wsconform diff: cases only in one run are a change" "$work/diff-sel.out"
has_line "$work/diff-sel.out" "ONLY-A 2.3: OK/OK" && ! grep -q '^ONLY-B' "$work/diff-sel.out"
tap_ok $? "... listed as only in A"

# The order of verdicts, per dimension, from hand-written runs.
"$WSCONFORM_BIN" diff "$data/diff-a" "$data/diff-b" >"$work/diff-order.out" 2>&1
expect_status $? 1 "wsconform diff of the hand-written runs" "$work/diff-order.out"
while IFS=';' read -r line what; do
  [ -n "$line" ] || continue
  has_line "$work/diff-order.out" "$line"
  r=$?
  tap_ok $r "diff: $what"
  [ $r -eq 0 ] || show "$work/diff-order.out"
done <<TABLE
CHANGED 1.2: FAILED/OK -> OK/UNCLEAN (worse);a better outcome with a worse close verdict is worse
CHANGED 1.3: NON-STRICT/OK -> NON-STRICT/OK (reason only);the same verdicts with another reason
  B: failed at once;... with the reason of B
CHANGED 1.6: NON-STRICT/OK -> INFORMATIONAL/OK (better);INFORMATIONAL is better than NON-STRICT
CHANGED 1.7: OK/UNCLEAN -> OK/WRONG CODE (better);WRONG CODE is better than UNCLEAN
CHANGED 1.8: OK/FAILED BY CLIENT -> OK/FAILED (worse);FAILED is worse than FAILED BY CLIENT
CHANGED 1.9: UNIMPLEMENTED/OK -> FAILED/OK (worse);FAILED is worse than UNIMPLEMENTED
ONLY-A 1.4: OK/OK;a case only in A
ONLY-B 1.5: OK/OK;a case only in B
diff $data/diff-a/results.json $data/diff-b/results.json: 6 changed (2 better, 3 worse, 1 reason only), 1 only in A, 1 only in B, 1 unchanged;the count line
TABLE

# --- bad input ------------------------------------------------------------
# file ; what the message must also say
while IFS=';' read -r file says; do
  [ -n "$file" ] || continue
  path=$data/$file
  "$WSCONFORM_BIN" run ws://127.0.0.1:9/ --cases 1.1.1 --baseline "$path" >"$work/bad.out" 2>"$work/bad.err"
  rc=$?
  grep -qF -- "$path" "$work/bad.err" && grep -qF -- "$says" "$work/bad.err"
  ok=$?
  tap_ok $(( rc != 2 || ok )) "run --baseline $file: exit 2 ($rc), naming the file and saying \"$says\""
  if [ $rc -ne 2 ] || [ $ok -ne 0 ]; then show "$work/bad.err"; fi
  "$WSCONFORM_BIN" baseline --update "$path" "$work/pair" >/dev/null 2>"$work/bad.err"
  rc=$?
  grep -qF -- "$path" "$work/bad.err" && grep -qF -- "$says" "$work/bad.err"
  ok=$?
  tap_ok $(( rc != 2 || ok )) "baseline --update $file: exit 2 ($rc), naming the file and saying \"$says\""
done <<'TABLE'
does-not-exist.json;cannot open
empty.json;empty
truncated.json;truncated.json:5:
not-json.json;not-json.json:3:
not-object.json;expected a baseline
cases-not-object.json;expected a baseline
no-outcome.json;case 1.1.2: no string "outcome"
unknown-outcome.json;case 1.1.1: unknown outcome "PASSED"
unknown-close.json;case 1.1.1: unknown close outcome "CLEAN"
unstable-no-note.json;case 1.1.1: unstable without a "note"
seen-not-pairs.json;case 1.1.1: "seen" must be a list of [outcome, close_outcome] pairs
twice.json;case 1.1.1: listed twice
TABLE

while IFS=';' read -r run says; do
  [ -n "$run" ] || continue
  for cmd in "diff $work/pair" "baseline"; do
    # shellcheck disable=SC2086 # cmd is the command and its first argument
    "$WSCONFORM_BIN" $cmd "$data/$run" >/dev/null 2>"$work/bad.err"
    rc=$?
    grep -qF -- "$data/$run" "$work/bad.err" && grep -qF -- "$says" "$work/bad.err"
    ok=$?
    tap_ok $(( rc != 2 || ok )) "${cmd%% *} of $run: exit 2 ($rc), naming the file and saying \"$says\""
    if [ $rc -ne 2 ] || [ $ok -ne 0 ]; then show "$work/bad.err"; fi
  done
done <<'TABLE'
no-such-run;cannot open
run-empty;empty
run-truncated;ends too early
run-unknown-verdict;case 1.1.2: unknown outcome "GOOD"
TABLE
"$WSCONFORM_BIN" diff "$work/pair" >/dev/null 2>&1
expect_status $? 2 "wsconform diff with one run is a usage error"

tap_done
