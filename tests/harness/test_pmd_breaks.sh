#!/usr/bin/env bash
# The permessage-deflate variants of the echo server (--break pmd-*): each is
# caught by its case in cases/P-deflate, FAILED with what was observed, and
# the case names the section of RFC 7692 broken; the strict echo server
# passes the same case.
set -u
cd "$(dirname "$0")/../.."
. tests/harness/lib.sh
work=$(mktemp -d)
trap 'stop_echo; rm -rf "$work"' EXIT

# run_case OUT ID [ECHO ARGS...]: one case against a fresh echo server; prints
# its verdict.
run_case() {
  local out=$1 id=$2
  shift 2
  if ! start_echo "$@"; then
    echo "NO SERVER|||"
    return
  fi
  "$WSCONFORM_BIN" run "$ECHO_URL" --cases "$id" --out "$out" --timeout-scale "$SCALE" \
    >"$out.txt" 2>&1
  stop_echo
  verdict_of "$out" "$id"
}

# variant ; case ; outcome|close_outcome ; the case's rfc ; the reason (globs)
while IFS=';' read -r variant id verdicts rfc reason; do
  [ -z "$variant" ] && continue
  got=$(run_case "$work/strict-$id" "$id")
  case "$got" in
    "OK|OK|"*) tap_ok 0 "the strict echo server passes $id" ;;
    *) tap_ok 1 "the strict echo server passes $id"; echo "got: $got" | tap_diag ;;
  esac
  got=$(run_case "$work/$variant" "$id" --break "$variant")
  # shellcheck disable=SC2254 # rfc and reason are patterns
  case "$got" in
    "$verdicts|"$rfc"|"$reason) tap_ok 0 "--break $variant is caught by $id ($verdicts)" ;;
    *) tap_ok 1 "--break $variant is caught by $id ($verdicts, rfc $rfc, reason $reason)"
       echo "got: $got" | tap_diag ;;
  esac
done <<'TABLE'
pmd-accept-invalid;P.1.1;FAILED|FAILED;RFC 7692 7*;*accepted permessage-deflate on an offer a server MUST decline*(RFC 7692 7)*
pmd-rsv1-continuation;P.2.1;FAILED|FAILED;RFC 7692 6*;*expected the peer to fail the connection*
pmd-keep-context;P.3.1;FAILED|UNCLEAN;RFC 7692 7.1.1.1*;*not valid DEFLATE data (RFC 7692 7.2.2)*server_no_context_takeover was agreed*(RFC 7692 7.1.1.1)*
pmd-wide-window;P.3.2;FAILED|UNCLEAN;RFC 7692 7.1.2.1*;*not valid DEFLATE data (RFC 7692 7.2.2)*server_max_window_bits=9 was agreed*(RFC 7692 7.1.2.1)*
TABLE
tap_done
