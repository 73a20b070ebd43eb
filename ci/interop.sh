#!/usr/bin/env bash
# Plays every case against third-party WebSocket servers, each an echo server
# from ci/interop/ on a free 127.0.0.1 port, and prints the outcome counts.
#
#   ci/interop.sh [--check] [--record [--merge]] [--runs N] [--quick] [--no-run]
#                 [SERVER...]
#
# SERVER is one of: websockets aiohttp ws tornado websocket-node
# faye-websocket libwebsockets wslay websocketd nginx-ws (default: all).
# websocketd never echoes binary messages, so its run lasts as long as the
# longest kill timer (about 21 minutes; see ci/interop/README.md).
# The C echo servers (libwebsockets, wslay) are compiled into build/interop/
# first; servers that need Debian packages beyond the default ones
# (libwebsockets, websocketd, nginx-ws) make it run ci/setup --interop.
# For each server and run: start it, wait until it accepts, run
#   build/wsconform run URL --out reports/interop/<server> --agent <server>-<version>
# (run k > 1 writes reports/interop/<server>.run<k>),
# stop it by its pid, and finally print a table of outcome counts per run with
# the run time. The servers' output goes to reports/interop/<server>.server.log.
#
#   --check    gate each run on ci/interop/expected/<server>.json: the run is
#              `wsconform run ... --baseline FILE`, which prints the cases whose
#              verdict got worse than the baseline's (REGRESSION), better
#              (IMPROVED), that are new (NEW) or that the baseline has and the
#              run lacks though its selection takes them (MISSING). A regressed
#              case is played once more by itself against a fresh server, again
#              with --baseline: if it regresses again, or a case is missing,
#              exit 1 (if it now matches, it is reported as flaky). Improvements
#              and new cases are printed, not failures.
#   --record   rewrite ci/interop/expected/<server>.json from the runs with
#              `wsconform baseline --update` (cases whose verdicts differ
#              between runs become unstable; notes kept)
#   --merge    with --record: add the runs to the baseline's verdicts instead
#              of replacing them (`wsconform baseline --merge`)
#   --runs N   run each server N times (default 1; use 3 or more with --record)
#   --quick    leave out most of the bulk compression cases, which take nearly
#              all the run time: of sections 12 and 13 only rows 1 (16-byte
#              messages) and 18 (131072 bytes in 32768-byte frames) of every
#              subsection, and row 10 of 12 (131072 bytes in one frame), are
#              played, so every data set and every offer of 13 stays covered;
#              all other cases, the P family among them, are played (the CI
#              gate; a recheck plays the regressed cases whatever the option)
#   --no-run   do not start anything: reuse the results.json already in
#              reports/interop/ (for --check, which then runs `wsconform
#              baseline --check` and re-runs nothing, --record and the table)
#
# Environment: WSCONFORM (default build/wsconform), WSCONFORM_ARGS (extra
# arguments for wsconform run, e.g. "--timeout-scale 2"), PYTHON (runs
# ci/interop/verdicts.py, which prints the table, default python3).
#
# Exit status: 0 every server ran and wrote results.json (failed cases are
# findings about the servers, not errors); 1 --check found a regression or a
# missing case; 2 usage error, a server could not start, a baseline is missing
# or bad, or wsconform could not run (its exit status 2 or 3).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
here=ci/interop
bin=${WSCONFORM:-build/wsconform}
py=${PYTHON:-python3}
out_base=reports/interop
all_servers=(websockets aiohttp ws tornado websocket-node faye-websocket
             libwebsockets wslay websocketd nginx-ws)
cc=${CC:-cc}

# Sets cmd to the command line of a server; the port (0: any free one) is
# appended. Debian's Python packages need Debian's interpreter, not a pyenv.
server_cmd() {
  case $1 in
    websockets) cmd=(/usr/bin/python3 "$here/websockets-echo.py") ;;
    aiohttp)    cmd=(/usr/bin/python3 "$here/aiohttp-echo.py") ;;
    tornado)    cmd=(/usr/bin/python3 "$here/tornado-echo.py") ;;
    ws)         cmd=(node "$here/ws-echo.mjs") ;;
    websocket-node) cmd=(node "$here/websocket-node-echo.mjs") ;;
    faye-websocket) cmd=(node "$here/faye-websocket-echo.mjs") ;;
    libwebsockets)  cmd=(build/interop/libwebsockets-echo) ;;
    wslay)      cmd=(build/interop/wslay-echo) ;;
    websocketd) cmd=("$here/websocketd-echo.sh") ;;
    nginx-ws)   cmd=("$here/nginx-ws.sh") ;;
    *) return 1 ;;
  esac
}

# Sets args to the options a server needs on top of wsconform's defaults
# (none at present).
server_args() {
  args=()
}

usage() { sed -n '2,/^set -uo pipefail$/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }

# The bulk compression cases --quick leaves out (wsconform --exclude globs).
quick_exclude='12.*.[2-9],12.*.1[1-7],13.*.[2-9],13.*.1[0-7]'

check=0 record=0 merge=() runs=1 norun=0 servers=() select=()
while [ $# -gt 0 ]; do
  case $1 in
    --check) check=1 ;;
    --record) record=1 ;;
    --merge) merge=(--merge) ;;
    --no-run) norun=1 ;;
    --quick) select=(--exclude "$quick_exclude") ;;
    --runs) shift; [[ ${1:-} =~ ^[1-9][0-9]*$ ]] || usage; runs=$1 ;;
    -h|--help) usage ;;
    -*) echo "ci/interop.sh: unknown option $1" >&2; usage ;;
    *) server_cmd "$1" || { echo "ci/interop.sh: unknown server $1 (known: ${all_servers[*]})" >&2; exit 2; }
       servers+=("$1") ;;
  esac
  shift
done
[ ${#servers[@]} -gt 0 ] || servers=("${all_servers[@]}")
if [ ${#select[@]} -gt 0 ] && [ "$record" -eq 1 ] && [ ${#merge[@]} -eq 0 ]; then
  echo "ci/interop.sh: --record --quick would drop the cases left out from the baselines; add --merge" >&2
  exit 2
fi
if [ "$norun" -eq 0 ] && [ ! -x "$bin" ]; then
  echo "ci/interop.sh: $bin not found; run make first" >&2
  exit 2
fi

# Installs what the chosen servers need beyond ci/setup's default packages
# and compiles the C echo servers (again only when their source changed).
prepare_servers() {
  local name extra=0 src exe libs flags
  for name in "${servers[@]}"; do
    case $name in libwebsockets|websocketd|nginx-ws) extra=1 ;; esac
  done
  if [ "$extra" -eq 1 ]; then
    ci/setup --interop || { echo "ci/interop.sh: ci/setup --interop failed" >&2; return 1; }
  fi
  for name in "${servers[@]}"; do
    case $name in
      libwebsockets)
        libs=$(pkg-config --cflags --libs libwebsockets) || return 1
        flags=() ;;
      wslay)
        libs="-lwslay -lcrypto"
        # Debian's wslayver.h names an older version than the package's.
        flags=(-DWSLAY_PACKAGE_VERSION="\"$(dpkg-query -W -f='${Version}' libwslay-dev | sed 's/-[^-]*$//')\"") ;;
      *) continue ;;
    esac
    src=$here/$name-echo.c exe=build/interop/$name-echo
    [ "$exe" -nt "$src" ] && continue
    mkdir -p build/interop
    # shellcheck disable=SC2086  # libs holds several words
    "$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O2 "${flags[@]}" \
      -o "$exe" "$src" $libs || { echo "ci/interop.sh: cannot compile $src" >&2; return 1; }
  done
}
if [ "$norun" -eq 0 ]; then
  prepare_servers || exit 2
fi

pid="" runpid=""
stop_server() {
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  pid=
}
# wsconform runs in the background so that a signal interrupts the wait at
# once; the traps stop it and the server.
# shellcheck disable=SC2317  # called from the traps
stop_all() {
  [ -n "$runpid" ] && kill "$runpid" 2>/dev/null && wait "$runpid" 2>/dev/null
  runpid=""
  stop_server
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM

# start_server NAME LOG: starts it, sets pid, url and version; 1 on failure.
start_server() {
  local name=$1 log=$2 port cmd
  server_cmd "$name"
  : >"$log"  # here, not in the child: a stale log must never be read
  "${cmd[@]}" 0 >>"$log" 2>&1 &
  pid=$!
  url="" version=""
  for _ in $(seq 200); do
    url=$(sed -n 's/^listening on \(ws:\/\/[^ ]*\)$/\1/p' "$log")
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$url" ]; then
    echo "ci/interop.sh: $name did not start (is ci/setup done?); its output:" >&2
    sed 's/^/  /' "$log" >&2
    stop_server
    return 1
  fi
  version=$(sed -n 's/^version \(.*\)$/\1/p' "$log")
  port=${url#ws://127.0.0.1:}; port=${port%/}
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "ci/interop.sh: $name printed $url but does not accept connections" >&2
  stop_server
  return 1
}

# run_once NAME OUT LOG [wsconform options...]: starts the server, plays the
# cases into OUT, stops the server. Sets wall (seconds) and run_rc (wsconform's
# exit status: with --baseline, 1 is a regression); 1 if anything failed.
run_once() {
  local name=$1 out=$2 log=$3 rc t0 t1
  shift 3
  rm -rf "$out"
  mkdir -p "$out"
  start_server "$name" "$log" || return 1
  echo "== $name $version at $url (pid $pid)$label"
  server_args "$name"
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$bin" run "$url" --out "$out" --agent "$name-$version" "${args[@]}" "$@" ${WSCONFORM_ARGS:-} &
  runpid=$!
  wait "$runpid"
  rc=$?
  run_rc=$rc
  runpid=""
  t1=$(date +%s.%N)
  stop_server
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  if [ "$rc" -ge 2 ] || [ ! -f "$out/results.json" ]; then
    echo "ci/interop.sh: wsconform run against $name exited with $rc" >&2
    return 1
  fi
}

status=0 rows=()
declare -A dirs
for name in "${servers[@]}"; do
  dirs[$name]=
  gate=()
  if [ "$check" -eq 1 ]; then
    if [ -f "$here/expected/$name.json" ]; then
      gate=(--baseline "$here/expected/$name.json")
    else
      echo "ci/interop.sh: no baseline $here/expected/$name.json" >&2
      status=2
    fi
  fi
  for k in $(seq "$runs"); do
    out=$out_base/$name log=$out_base/$name.server.log
    [ "$k" -gt 1 ] && out=$out_base/$name.run$k log=$out_base/$name.run$k.server.log
    if [ "$norun" -eq 1 ]; then
      if [ ! -f "$out/results.json" ]; then
        echo "ci/interop.sh: $out/results.json missing (--no-run)" >&2
        status=2
        continue
      fi
      rows+=("$name=$out=-")
      dirs[$name]+=" $out"
      continue
    fi
    label=", run $k of $runs"
    if ! run_once "$name" "$out" "$log" "${select[@]}" "${gate[@]}"; then
      status=2
      continue
    fi
    rows+=("$name=$out=$wall")
    dirs[$name]+=" $out"
  done
done

echo
if [ ${#rows[@]} -gt 0 ]; then
  "$py" "$here/verdicts.py" table "${rows[@]}" || status=2
fi

if [ "$record" -eq 1 ]; then
  for name in "${servers[@]}"; do
    [ -n "${dirs[$name]}" ] || continue
    base=$here/expected/$name.json
    update=()
    [ -f "$base" ] && update=(--update "$base" "${merge[@]}")
    # shellcheck disable=SC2086  # dirs holds several folders
    if "$bin" baseline "${update[@]}" ${dirs[$name]} >"$base.tmp" 2>"$out_base/$name.record.log"; then
      mv "$base.tmp" "$base"
      echo "$name: wrote $base"
      sed "s/^wsconform baseline: /$name: /" "$out_base/$name.record.log"
    else
      sed 's/^/ci\/interop.sh: /' "$out_base/$name.record.log" >&2
      rm -f "$base.tmp"
      status=2
    fi
  done
fi

# --check: the runs were gated on the baselines as they went (or, with
# --no-run, are gated here). A case missing from a run fails the check; a
# regressed case is played once more, by itself, against a fresh server
# (reports/interop/<server>.recheck). A case that then matches is reported as
# flaky and does not fail the check: on a loaded machine a server may miss a
# 1 s close or kill timer. A case that regresses again fails it.
if [ "$check" -eq 1 ]; then
  failed_gate=0
  for name in "${servers[@]}"; do
    base=$here/expected/$name.json
    [ -f "$base" ] || continue
    for d in ${dirs[$name]}; do
      gate_json=$d/baseline.json
      if [ "$norun" -eq 1 ]; then
        echo
        "$bin" baseline --check "$base" "$d" --json "$gate_json"
        [ $? -le 1 ] || { status=2; continue; }
      fi
      if ! ids=$("$py" "$here/verdicts.py" ids regressions "$gate_json") ||
         ! missing=$("$py" "$here/verdicts.py" ids missing "$gate_json"); then
        echo "ci/interop.sh: cannot read the gate of $d ($gate_json)" >&2
        status=2
        continue
      fi
      if [ -n "$missing" ]; then
        echo "$name: cases of $base missing from $d: $missing"
        failed_gate=1
      fi
      [ -n "$ids" ] || continue
      if [ "$norun" -eq 1 ]; then
        failed_gate=1
        continue
      fi
      echo
      echo "$name: re-running $ids alone against a fresh server"
      label=", re-running $ids"
      recheck=$out_base/$name.recheck
      if ! run_once "$name" "$recheck" "$recheck.server.log" --cases "$ids" --baseline "$base" \
           >"$recheck.log"; then
        cat "$recheck.log"
        status=2
        continue
      fi
      again=$("$py" "$here/verdicts.py" ids regressions "$recheck/baseline.json") || { status=2; continue; }
      grep '^REGRESSION ' "$recheck.log" | sed "s/^/$name: again: /"
      for id in ${ids//,/ }; do
        case ",$again," in
          *",$id,"*) ;;
          *) echo "$name: flaky $id: matched the baseline on a re-run alone" ;;
        esac
      done
      if [ "$run_rc" -ne 0 ]; then
        echo "$name: ${again:-cases} still regressed on a re-run alone"
        failed_gate=1
      fi
    done
  done
  [ "$status" -eq 0 ] && [ "$failed_gate" -eq 1 ] && status=1
fi
exit "$status"
