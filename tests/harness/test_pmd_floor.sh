#!/usr/bin/env bash
# pmd-floor (make bench) on a few tiny cases: it reads the agreement from each
# case's offer, plays every message of its bulk steps through zlib and back,
# and reports them per data set and agreement. Nothing here is timed.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/harness/lib.sh
floor=${PMD_FLOOR_BIN:-build/bench/pmd-floor}
if [ ! -x "$floor" ]; then
  echo "1..0 # SKIP $floor is not built (make $floor)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/floor.case" <<'CASES'
case T.1
  title   Three json messages of 100000 characters, wrapping around the set; echo window 9, reset
  rfc     RFC 7692 7.2.1
  require An endpoint uses the following algorithm to decompress a message.
  offer   permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=9
  deflate required
  bulk    text json count=3 size=100000 compress
  expect  OK: message text echo x3

case T.2
  title   Two bmp messages under the default offer
  rfc     RFC 7692 7.2.1
  require An endpoint uses the following algorithm to decompress a message.
  offer   permessage-deflate; client_no_context_takeover; client_max_window_bits
  deflate required
  bulk    binary bmp count=2 size=64 compress
  expect  OK: message binary echo x2

case T.3
  title   An offer with a parameter RFC 7692 does not define: the echo declines it
  rfc     RFC 7692 7
  require A server MUST decline an extension negotiation offer for this extension if the negotiation offer contains an extension parameter not defined for use in an offer.
  offer   permessage-deflate; no_such_parameter
  deflate required
  bulk    binary bmp count=2 size=64 compress
  expect  UNIMPLEMENTED: nothing

case T.4
  title   No compression at all
  rfc     5.6
  require A text message.
  send    text "hello"
  expect  OK: message text echo
CASES

"$floor" --cases-dir "$work" --workers 2 >"$work/out" 2>"$work/err"
tap_ok $? "pmd-floor exits 0 on the tiny cases"
grep -Eq '^BENCH name=pmd_floor value=[0-9]+\.[0-9]{3} unit=s$' "$work/out"
tap_ok $? "and prints one BENCH line for pmd_floor" || tap_diag <"$work/out"
grep -q "^# pmd_floor: 2 cases, 5 messages, 2 workers, level 1, memLevel 0 (0: the codec's):" "$work/err"
tap_ok $? "it plays the 2 agreed cases, 5 messages, on 2 workers" || tap_diag <"$work/err"
grep -q '^# pmd_floor: left out 1 bulk cases the echo declines' "$work/err"
tap_ok $? "it leaves out the case whose offer the echo declines" || tap_diag <"$work/err"
grep -Eq '^#   json  w15 reset +w9 reset +3 ' "$work/err"
tap_ok $? "json: the suite at window 15 with reset, the echo at window 9 with reset, 3 messages" ||
  tap_diag <"$work/err"
grep -Eq '^#   bmp   w15 reset +w15 +2 ' "$work/err"
tap_ok $? "bmp: the default offer leaves the echo at window 15 with context takeover, 2 messages" ||
  tap_diag <"$work/err"

"$floor" --cases-dir "$work" --cases 'T.4' >"$work/out" 2>"$work/err"
tap_ok $(( $? != 1 )) "a selection without compressed bulk steps exits 1"
grep -q 'no case with a compressed bulk step' "$work/err"
tap_ok $? "and says so" || tap_diag <"$work/err"

tap_done
