#!/usr/bin/env bash
# `wsconform report RUN...` on runs it cannot read: every bad input is a clear
# error naming the file (with line and column where the JSON breaks), exit 2,
# and nothing is written.
set -u
cd "$(dirname "$0")/../.."
. tests/harness/lib.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bad() { # bad DESCRIPTION EXPECTED_TEXT CONTENT
  mkdir -p "$work/run"
  printf '%s' "$3" >"$work/run/results.json"
  rm -rf "$work/html"
  "$WSCONFORM_BIN" report "$work/run" --html "$work/html" --junit "$work/j.xml" >"$work/out" 2>&1
  local rc=$?
  grep -qF -- "$2" "$work/out"
  local found=$?
  tap_ok $(( rc != 2 || found != 0 )) "$1: exit 2 and '$2' (exit $rc)"
  [ "$found" -eq 0 ] || tap_diag <"$work/out"
}
f="$work/run/results.json"
bad "an empty results.json" "$f: empty, expected JSON" ""
bad "a truncated results.json" "$f:3:1: the JSON text ends too early" $'{"cases": [\n{"id": "1.1.1",\n'
bad "a results.json that is not JSON" "$f:2:11: not valid JSON here" $'{\n"cases": [nope]}'
mkdir -p "$work/run"; printf '{\n "cases": [\0]}' >"$f"
"$WSCONFORM_BIN" report "$work/run" --html "$work/html" >"$work/out" 2>&1
rc=$?
grep -qF "$f:2:12: a NUL byte" "$work/out"
tap_ok $(( rc != 2 || $? != 0 )) "a NUL byte: exit 2 and where it is (exit $rc)"
bad "JSON of another shape" 'expected a wsconform results.json' '[1, 2, 3]'
bad "a case without an outcome" 'cases[0] (1.1.1) has no string "outcome"' '{"cases": [{"id": "1.1.1", "close_outcome": "OK"}]}'
bad "a case that is not an object" 'cases[1] is not an object' '{"cases": [{"id": "1", "outcome": "OK", "close_outcome": "OK"}, 7]}'
"$WSCONFORM_BIN" report "$work/nothing-here" --html "$work/html" >"$work/out" 2>&1
rc=$?
grep -q "$work/nothing-here: cannot open" "$work/out"
tap_ok $(( rc != 2 || $? != 0 )) "a run that does not exist: exit 2 and the path named (exit $rc)"
mkdir -p "$work/empty-run"
"$WSCONFORM_BIN" report "$work/empty-run" --html "$work/html" >"$work/out" 2>&1
rc=$?
grep -q "$work/empty-run/results.json: cannot open" "$work/out"
tap_ok $(( rc != 2 || $? != 0 )) "a folder without results.json: exit 2 and the file named (exit $rc)"
"$WSCONFORM_BIN" report "$work/run" >"$work/out" 2>&1
tap_ok $(( $? != 2 )) "no report asked for: exit 2"
"$WSCONFORM_BIN" report --html "$work/html" >"$work/out" 2>&1
tap_ok $(( $? != 2 )) "no run given: exit 2"
tap_done
