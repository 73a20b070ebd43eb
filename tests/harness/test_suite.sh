#!/usr/bin/env bash
# The whole case library against the reference echo server (no FAILED, no
# NON-STRICT), then against each deliberately broken variant of it: every
# variant must be caught by the named case, with the named reason. A suite
# that passes everything proves nothing.
set -u
cd "$(dirname "$0")/../.."
. tests/harness/lib.sh
work=$(mktemp -d)
trap 'stop_echo; rm -rf "$work"' EXIT

# The strict server: every case OK or INFORMATIONAL. Of the 216 bulk compression
# cases (Autobahn 12 and 13, minutes of zlib in all) a sample runs here: the
# smallest and the largest fragmented size of each data set and parameter set;
# `make demo` and `make bench` play them all.
bulk_sample='12.*.1,12.*.18,13.*.1,13.*.15'
start_echo || exit 1
for part in strict sample; do
  if [ $part = strict ]; then select=(--exclude '12.*,13.*'); else select=(--cases "$bulk_sample"); fi
  "$WSCONFORM_BIN" run "$ECHO_URL" "${select[@]}" --out "$work/$part" --timeout-scale "$SCALE" \
    >"$work/$part.txt" 2>&1
  rc=$?
  tap_ok $rc "the reference echo server passes every case of the $part run (exit $rc)"
  [ $rc -eq 0 ] || grep -E '^(FAILED|NON-STRICT|[0-9]+ cases)' "$work/$part.txt" | tap_diag
  summary=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["FAILED"], s["NON-STRICT"], s["UNIMPLEMENTED"], sum(s.values()))' "$work/$part/results.json")
  set -- $summary
  tap_ok $(( $1 + $2 + $3 )) "no FAILED, NON-STRICT or UNIMPLEMENTED in the $part run ($4 cases)"
  [ $part = strict ] && tap_ok $(( $4 < 301 )) "at least the core 301 Autobahn-numbered cases ran ($4)"
  [ $part = sample ] && tap_ok $(( $4 != 24 )) "the bulk sample is 24 cases of sections 12 and 13 ($4)"
done
stop_echo

# variant ; case ; expected outcome|close_outcome ; reason fragment
while IFS=';' read -r variant id verdicts reason; do
  [ -z "$variant" ] && continue
  start_echo --break "$variant" || { tap_ok 1 "echo --break $variant starts"; continue; }
  "$WSCONFORM_BIN" run "$ECHO_URL" --cases "$id" --out "$work/$variant" --timeout-scale "$SCALE" \
    >/dev/null 2>&1
  stop_echo
  got=$(verdict_of "$work/$variant" "$id")
  case "$got" in
    "$verdicts|"*"$reason"*) tap_ok 0 "--break $variant is caught by $id ($verdicts)" ;;
    *) tap_ok 1 "--break $variant is caught by $id ($verdicts, reason with \"$reason\")"
       echo "got: $got" | tap_diag ;;
  esac
done <<'TABLE'
rsv;3.1;FAILED|FAILED;expected the peer to fail the connection
masking;M.1;FAILED|FAILED;expected the peer to fail the connection
opcode;4.1.1;OK|FAILED;expected the peer to fail the connection
fragmentation;5.9;FAILED|FAILED;expected the peer to fail the connection
utf8;6.3.1;FAILED|FAILED;text is not valid UTF-8
late-utf8;6.4.1;NON-STRICT|OK;timeout A, timeout B
close-payload;7.9.1;FAILED|WRONG CODE;close code that must not be sent
close-payload;7.13.1;INFORMATIONAL|INFORMATIONAL;peer sent close 5000; the peer broke the protocol
close-payload;L.14;FAILED|WRONG CODE;close reason is not valid UTF-8
no-pong;2.2;FAILED|OK;expected pong echo
no-close-reply;1.1.1;OK|UNCLEAN;the peer sent no Close
no-tcp-close;1.1.1;OK|UNCLEAN;did not drop TCP
no-tcp-close;7.9.1;OK|FAILED BY CLIENT;did not drop TCP
wrong-accept;1.1.1;FAILED|FAILED;Sec-WebSocket-Accept does not match
any-version;H.5.4;FAILED|FAILED;accepted a handshake it must refuse
masked-replies;1.1.1;FAILED|UNCLEAN;server frame is masked
reject-registered-codes;C.1.1;NON-STRICT|OK;tolerated as NON-STRICT
reject-registered-codes;C.1.3;NON-STRICT|OK;1014 is in the IANA registry
TABLE

# graded_without_limit MAX_MESSAGE ID PATTERN DESCRIPTION: ID against an echo
# server accepting messages up to MAX_MESSAGE bytes; its verdict must match.
graded_without_limit() {
  if start_echo --max-message "$1"; then
    "$WSCONFORM_BIN" run "$ECHO_URL" --cases "$2" --out "$work/limit-$2" --timeout-scale "$SCALE" \
      >/dev/null 2>&1
    stop_echo
    got=$(verdict_of "$work/limit-$2" "$2")
    # shellcheck disable=SC2254 # the pattern is a glob
    case "$got" in
      $3) tap_ok 0 "$4" ;;
      *) tap_ok 1 "$4"; echo "got: $got" | tap_diag ;;
    esac
  else
    tap_ok 1 "echo --max-message $1 starts"
  fi
}

# A server with no message limit inflates a decompression bomb and echoes it:
# 10.4's limit is a SHOULD, so NON-STRICT, graded when the echo passes the
# suite's own limit for the case.
graded_without_limit 2000000000 P.5.1 "NON-STRICT|OK|*over the suite's limit*SHOULD*" \
  "no message limit: the echoed bomb P.5.1 is NON-STRICT"
# A server with no frame size limit waits for the terabyte L.3 announces: 10.4's
# limit is a SHOULD, so that is NON-STRICT, not FAILED.
graded_without_limit 2000000000000 L.3 "NON-STRICT|OK|*kill timer*SHOULD*" \
  "no frame size limit: L.3 is NON-STRICT"

# A peer that fails the connection with a TCP reset and no Close breaks only a
# SHOULD of 7.1.7: the cases that accept a TCP drop must not fail on the reset.
if start_echo --break reset-on-error; then
  "$WSCONFORM_BIN" run "$ECHO_URL" --cases '5.9,6.3.1,M.1' --out "$work/reset" \
    --timeout-scale "$SCALE" >/dev/null 2>&1
  stop_echo
  for id in 5.9 6.3.1 M.1; do
    got=$(verdict_of "$work/reset" "$id")
    case "$got" in
      "OK|OK|"*) tap_ok 0 "a TCP reset is a dropped connection in $id, not a failure" ;;
      *) tap_ok 1 "a TCP reset is a dropped connection in $id, not a failure"
         echo "got: $got" | tap_diag ;;
    esac
  done
else
  tap_ok 1 "echo --break reset-on-error starts"
fi
tap_done
