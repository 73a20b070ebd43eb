#!/usr/bin/env bash
# `wsconform run` against peers that misbehave on purpose (hostile_peer.py): it
# must end within the time bound of its contract, exit with the documented
# status (never by a signal), write results.json listing every selected case,
# stay under 128 MiB of resident memory, and sleep while it waits.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/harness/lib.sh
here=tests/robustness
work=$(mktemp -d)
peer_pids=()
run_pids=()
cleanup() {
  stop_pid "${run_pids[@]}" "${peer_pids[@]}"
  rm -rf "$work"
}
trap cleanup EXIT

RSS_LIMIT_KIB=$((128 * 1024))

# The library, plus one case whose 16 MiB write blocks against a peer that does
# not read, with a short kill timer (the library's 16 MiB cases have 100 s).
cp -r cases "$work/cases"
mkdir -p "$work/cases/R-robustness"
cat >"$work/cases/R-robustness/R.1-blocked-write.case" <<'CASE'
case R.1
  title Binary message of 16 MiB: against a peer that stops reading, the write blocks
  rfc 10.4
  require Implementations that have implementation- and/or platform-specific limitations regarding the frame size or total message size after reassembly from multiple frames MUST protect themselves against exceeding those limits.
  send binary repeat("R", 16MiB)
  expect OK: message binary echo
  kill 2s
CASE

# The selection and the kill timers of its cases (the `kill` lines of
# 1.1-text, 1.2-binary, 2.10-2.11, 5.19-5.20, 6.4, L.1-L.4 and R.1 above).
SELECTION='1.1.1,1.2.8,2.10,5.19,6.4.1,L.3,R.1'
KILL_SECONDS=(1 10 4 3 3 5 2)
"$WSCONFORM_BIN" list --cases "$SELECTION" --cases-dir "$work/cases" 2>/dev/null | cut -f1 \
  >"$work/selected_ids"
# The contract: 6 s of pre-flight, then at most twice (10 s + kill) per case, all
# scaled; 3 s more for starting the process and writing the reports.
bound() { # bound KILL_SECONDS...
  local sum=0 k
  for k in "$@"; do sum=$((sum + 10 + k)); done
  awk -v s="$SCALE" -v t=$((6 + 2 * sum)) 'BEGIN { printf "%.1f", t * s + 3 }'
}
BOUND=$(bound "${KILL_SECONDS[@]}")
PREFLIGHT_BOUND=$(awk -v s="$SCALE" 'BEGIN { printf "%.1f", 6 * s + 3 }')

# start_peer MODE: starts hostile_peer.py in MODE; sets PEER_URL.
start_peer() {
  local lifetime started
  lifetime=$(awk -v b="$BOUND" 'BEGIN { printf "%d", 2 * b + 120 }')
  start_listening "$work/peer-$1.log" "$PYTHON" "$here/hostile_peer.py" "$1" --lifetime "$lifetime"
  started=$?
  peer_pids+=("$LISTEN_PID")
  PEER_URL=$LISTEN_URL
  [ $started -eq 0 ] || exit 1
}

# measure NAME DEADLINE [run_measured options --] wsconform run arguments...:
# runs wsconform in the background; its report, stdout and stderr go to
# $work/NAME.{report,stdout,stderr}, its --out directory is $work/NAME.
measure() {
  local name=$1 deadline=$2
  shift 2
  local opts=()
  while [ "$1" != "--" ]; do opts+=("$1"); shift; done
  shift
  "$PYTHON" "$here/run_measured.py" --report "$work/$name.report" --deadline "$deadline" \
    "${opts[@]}" -- "$WSCONFORM_BIN" run "$@" --out "$work/$name" --timeout-scale "$SCALE" \
    >"$work/$name.stdout" 2>"$work/$name.stderr" &
  run_pids+=($!)
}

finish_runs() {
  for pid in "${run_pids[@]}"; do wait "$pid" 2>/dev/null; done
  run_pids=()
}

value() { awk -v k="$1" '$1 == k { print $2 }' "$work/$2.report"; }

diag_run() { # diag_run NAME: what the run did, for the reader of the TAP output
  echo "$1: exit $(value exit_code "$1") signal $(value signal "$1"), $(value wall "$1") s wall," \
    "$(value cpu "$1") s CPU, peak RSS $(( $(value maxrss_kib "$1") / 1024 )) MiB" | tap_diag
}

diag_output() { # the end of the run's stderr and stdout
  { tail -n 5 "$work/$1.stderr"; tail -n 3 "$work/$1.stdout"; } | tap_diag
}

# results_problems NAME TARGET_STATE ALL_NOT_RUN: prints what is wrong with
# $work/NAME/results.json (nothing when it lists every selected case, has the
# expected target_state and, when ALL_NOT_RUN is 1, every case NOT RUN).
results_problems() {
  "$PYTHON" - "$work/$1/results.json" "$work/selected_ids" "$2" "$3" <<'PY'
import sys
sys.path.insert(0, "tests/robustness")
from results_check import load_and_check
path, ids_path, state, all_not_run = sys.argv[1:]
results, _, _ = load_and_check(path, ids_path, state)
if all_not_run == "1":
    ran = ["%s (%s)" % (c["id"], c.get("outcome")) for c in results["cases"]
           if c.get("outcome") != "NOT RUN" or c.get("close_outcome") != "NOT RUN"]
    if ran:
        print("cases not NOT RUN although the target is not usable: %s" % ", ".join(ran))
PY
}

# check_run NAME EXIT TARGET_STATE ALL_NOT_RUN DEADLINE_DESCRIPTION
check_run() {
  local name=$1 want=$2 state=$3 all_not_run=$4 bound_text=$5 problems
  diag_run "$name"
  tap_ok "$(value watchdog "$name")" "$name: ends by itself within $bound_text"
  [ "$(value signal "$name")" = 0 ] && [ "$(value exit_code "$name")" = "$want" ]
  local rc=$?
  tap_ok $rc "$name: exits $want, not by a signal"
  [ $rc -eq 0 ] || diag_output "$name"
  problems=$(results_problems "$name" "$state" "$all_not_run")
  [ -z "$problems" ]
  tap_ok $? "$name: results.json lists the ${#KILL_SECONDS[@]} selected cases, target_state \"$state\""
  [ -z "$problems" ] || echo "$problems" | tap_diag
  check_rss "$name"
}

check_rss() {
  [ "$(value rss_valve "$1")" = 0 ] && [ "$(value maxrss_kib "$1")" -lt $RSS_LIMIT_KIB ]
  tap_ok $? "$1: peak RSS under 128 MiB"
}

# cpu_fraction_below NAME PERCENT: CPU time (user + system) under PERCENT % of wall time.
cpu_fraction_below() {
  awk -v c="$(value cpu "$1")" -v w="$(value wall "$1")" -v p="$2" 'BEGIN { exit !(c < w * p / 100) }'
}

# 1. The busy-loop check, alone on the machine: a peer that never answers, and
# one that completes the handshake and then reads nothing (the 16 MiB write of
# R.1 blocks). Either way wsconform has nothing to do but wait.
start_peer silent
silent_url=$PEER_URL
measure silent "$BOUND" -- "$silent_url" --cases "$SELECTION" --cases-dir "$work/cases"
start_peer never-reads
never_reads_url=$PEER_URL
measure never-reads-alone "$(bound 2)" -- "$never_reads_url" --cases R.1 --cases-dir "$work/cases"
finish_runs
check_run silent 3 not-websocket 1 "$BOUND s (the contract's bound)"
awk -v w="$(value wall silent)" -v b="$PREFLIGHT_BOUND" 'BEGIN { exit !(w <= b) }'
tap_ok $? "silent: the pre-flight alone decides, within $PREFLIGHT_BOUND s"
grep -q "^wsconform run: .* is not a WebSocket endpoint: " "$work/silent.stderr"
tap_ok $? "silent: stderr says the target is not a WebSocket endpoint"
cpu_fraction_below silent 20
tap_ok $? "silent: CPU time under 20 % of wall time (no busy polling)"
diag_run never-reads-alone
tap_ok "$(value watchdog never-reads-alone)" "never-reads, R.1 alone: ends by itself within $(bound 2) s"
[ "$(value signal never-reads-alone)" = 0 ] && [ "$(value exit_code never-reads-alone)" = 1 ]
tap_ok $? "never-reads, R.1 alone: exits 1, not by a signal"
cpu_fraction_below never-reads-alone 20
tap_ok $? "never-reads, R.1 alone: CPU time under 20 % of wall time while the write is blocked"

# 2. Every other peer at the default --jobs, all at once.
exit3_modes=(endless-headers garbage-http tls-garbage)
exit1_modes=(ping-flood pong-flood fragment-flood huge-frame top-bit-length drip
             reset-mid-frame)
flood_modes=(ping-flood pong-flood fragment-flood huge-frame)
declare -A url
for mode in "${exit3_modes[@]}" "${exit1_modes[@]}" echo-then-die; do
  start_peer "$mode"
  url[$mode]=$PEER_URL
done
url[never-reads]=$never_reads_url
for mode in "${exit3_modes[@]}" "${exit1_modes[@]}" never-reads echo-then-die; do
  tls=()
  case "${url[$mode]}" in wss://*) tls=(--insecure) ;; esac
  measure "$mode" "$BOUND" -- "${url[$mode]}" --cases "$SELECTION" --cases-dir "$work/cases" \
    "${tls[@]}"
done
finish_runs

declare -A state_of=([endless-headers]=not-websocket [garbage-http]=not-websocket
                     [tls-garbage]=tls-failed)
for mode in "${exit3_modes[@]}"; do
  check_run "$mode" 3 "${state_of[$mode]}" 1 "$BOUND s (the contract's bound)"
  awk -v w="$(value wall "$mode")" -v b="$PREFLIGHT_BOUND" 'BEGIN { exit !(w <= b) }'
  tap_ok $? "$mode: the pre-flight alone decides, within $PREFLIGHT_BOUND s"
  case $mode in tls-garbage) said="TLS handshake with .* failed: " ;;
                *) said=".* is not a WebSocket endpoint: " ;; esac
  grep -q "^wsconform run: $said" "$work/$mode.stderr"
  tap_ok $? "$mode: stderr says \"wsconform run: $said\""
done
for mode in "${exit1_modes[@]}" never-reads; do
  check_run "$mode" 1 ok 0 "$BOUND s (the contract's bound)"
done
check_run echo-then-die 3 died 0 "$BOUND s (the contract's bound)"

# 3. The floods again with 256 connections at once: the whole library at
# --jobs 256, interrupted (as by Ctrl-C) after 10 s of flooding. What counts
# here is the memory, and that the interrupt ends the run with exit 130.
window=$(awk -v s="$SCALE" 'BEGIN { printf "%.1f", 10 * s }')
grace=$(awk -v s="$SCALE" -v w="$window" 'BEGIN { printf "%.1f", w + 10 * s }')
for mode in "${flood_modes[@]}"; do
  measure "$mode-jobs256" "$grace" --interrupt-after "$window" -- "${url[$mode]}" --jobs 256 \
    --cases-dir "$work/cases"
done
finish_runs
for mode in "${flood_modes[@]}"; do
  name=$mode-jobs256
  diag_run "$name"
  check_rss "$name"
  tap_ok "$(value watchdog "$name")" "$name: ends within 10 s of the interrupt"
  # Exit 1 if it finished before the interrupt, 130 if it was interrupted.
  [ "$(value signal "$name")" = 0 ] &&
    case "$(value interrupted "$name"):$(value exit_code "$name")" in 1:130 | 0:1) true ;; *) false ;; esac
  rc=$?
  tap_ok $rc "$name: exits 130 after the interrupt, not by a signal"
  [ $rc -eq 0 ] || diag_output "$name"
done

tap_done
