#!/usr/bin/env bash
# The HTML report as a browser shows it: runs against the echo server and
# against a hostile server (tests/harness/html_hostile_server.py, whose
# headers, echoes and close reason are made of markup, quotes, NUL and invalid
# UTF-8, run under an agent name that is markup too) are rendered with
# `wsconform report --html`, opened from disk in headless Chromium, and the
# DOM it leaves is checked by tests/harness/html_dom_check.py: no element the
# report does not write, no event handler, the hostile text shown as text,
# totals equal to results.json, filters shown and working. Screenshots are
# kept in build/test-artifacts/html/ for a human to look at.
set -u
cd "$(dirname "$0")/../.."
. tests/harness/lib.sh
work=$(mktemp -d)
artifacts=build/test-artifacts/html
HOSTILE_PID=
trap 'stop_echo; stop_pid "$HOSTILE_PID"; rm -rf "$work"' EXIT
mkdir -p "$artifacts"

if ! command -v chromium >/dev/null; then
  tap_ok 1 "chromium is installed (ci/setup installs the Debian package; run make check)"
  tap_done
  exit 1
fi

# Offline: a private profile, no background services, every host name
# unresolvable and any proxied request sent to a closed port; only file:// URLs.
browser=(timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run
  --no-default-browser-check --user-data-dir="$work/profile" --disable-background-networking
  --disable-component-update --disable-sync --disable-extensions --disable-default-apps
  --proxy-server=http://127.0.0.1:9 "--host-resolver-rules=MAP * ~NOTFOUND")
dom() { # dom URL OUT: the DOM after the page's scripts ran
  "${browser[@]}" --virtual-time-budget=5000 --dump-dom "$1" >"$2" 2>"$work/browser.log"
}
shot() { # shot URL PNG HEIGHT
  "${browser[@]}" --window-size=1300,"$3" --screenshot="$PWD/$2" "$1" >/dev/null 2>&1
}
check() { # check MODE DOM ARGS... -> exit status, problems as diagnostics
  "$PYTHON" tests/harness/html_dom_check.py "$@" >"$work/check.out" 2>&1
  local rc=$?
  tap_diag <"$work/check.out"
  return $rc
}

# Runs: the echo server passes a selection; the hostile server fails most.
start_echo || exit 1
"$WSCONFORM_BIN" run "$ECHO_URL" --cases '1.*,2.*,7.1.*,12.1.1,H.*' --out "$work/echo" \
  --timeout-scale "$SCALE" >/dev/null 2>&1
tap_ok $? "a selection runs against the echo server"
stop_echo
start_listening "$work/hostile.log" "$PYTHON" tests/harness/html_hostile_server.py ||
  { tap_ok 1 "the hostile server starts"; tap_done; exit 1; }
HOSTILE_PID=$LISTEN_PID
agent='<img src=x onerror=alert(1)>'
"$WSCONFORM_BIN" run "$LISTEN_URL" --cases '1.1.2,1.2.1,2.2,5.3,7.1.1,H.1.1' --agent "$agent" \
  --out "$work/hostile" --timeout-scale "$SCALE" >/dev/null 2>&1
tap_ok $(( $? != 1 )) "the run against the hostile server ends with failed cases (exit 1)"
stop_pid "$HOSTILE_PID"
HOSTILE_PID=

# Reports: the echo run alone, and both runs side by side.
"$WSCONFORM_BIN" report "$work/echo" --html "$work/echo-html" >"$work/out" 2>&1
tap_ok $? "wsconform report --html writes the echo run's report"
tap_diag <"$work/out"
cases=$("$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cases"]))' \
  "$work/echo/results.json")
pages=$(find "$work/echo-html/pages" -name '*.html' | wc -l)
tap_ok $(( pages != cases )) "one page per case ($pages pages, $cases cases)"
"$WSCONFORM_BIN" report "$work/echo" "$work/hostile" --html "$work/both" >"$work/out" 2>&1
tap_ok $? "both runs go into one report"
tap_diag <"$work/out"
slug=_img_src_x_onerror_alert_1__
[ -d "$work/both/pages/$slug" ]
tap_ok $? "the hostile agent's pages are in pages/$slug/"
check links "$work/both"
tap_ok $? "every link of every page leads to a page of the report, nothing else is loaded"

# The indexes: totals as results.json says, one row per case, filters shown.
dom "file://$work/echo-html/index.html" "$work/echo-index.dom"
check index "$work/echo-index.dom" "$work/echo/results.json"
tap_ok $? "the echo report's index shows results.json's totals and every case, with filters"
check safe "$work/echo-index.dom" 1
tap_ok $? "the echo report's index holds only the report's elements and its one script"
dom "file://$work/both/index.html" "$work/both-index.dom"
check index "$work/both-index.dom" "$work/echo/results.json" "$work/hostile/results.json"
tap_ok $? "the two-agent index shows each run's totals, and Missing for cases a run lacks"
check safe "$work/both-index.dom" 1 "$agent"
tap_ok $? "the two-agent index shows the agent name as text, injects nothing"
check nojs "$work/both/index.html" "$work/echo/results.json" "$work/hostile/results.json"
tap_ok $? "without scripts the index shows every case and hides the filters it could not run"
dom "file://$work/both/index.html#section=7" "$work/section.dom"
check section "$work/section.dom" 7 "$work/echo/results.json" "$work/hostile/results.json"
tap_ok $? "the section filter (index.html#section=7) shows exactly section 7's cases"
dom "file://$work/both/index.html#failed" "$work/failed.dom"
check failed "$work/failed.dom" "$work/echo/results.json" "$work/hostile/results.json"
tap_ok $? "the failed-only filter (index.html#failed) shows exactly the failed cases"

# Every page of the hostile run: the markup, quotes, NUL, invalid UTF-8 and
# bidi controls it sent are shown as text, none becomes an element.
bad=0
for page in "$work/both/pages/$slug"/*.html; do
  id=$(basename "$page" .html)
  dom "file://$page" "$work/case.dom"
  markers=("$agent" '<script>alert(1)</script>' '<img src=x onerror=alert(2)>'
           '\xff' '\u202e' '</pre>')
  # a text echo carries a NUL, shown as \x00
  case_text=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["case_text"])' \
    "$work/hostile/cases/$id.json")
  grep -q 'send *text' <<<"$case_text" && markers+=('\x00')
  check safe "$work/case.dom" 0 "${markers[@]}" || bad=$((bad + 1))
done
tap_ok $bad "every hostile case page shows the hostile bytes as text and injects nothing"

# The checker itself catches an element slipped into a page.
sed 's|<body>|<body><img src=x onerror=alert(9)>|' "$work/both/pages/$slug/2.2.html" \
  >"$work/tampered.html"
dom "file://$work/tampered.html" "$work/tampered.dom"
"$PYTHON" tests/harness/html_dom_check.py safe "$work/tampered.dom" 0 >/dev/null 2>&1
tap_ok $(( $? != 1 )) "the check fails on a page with an injected <img onerror>"

# The pages' Content-Security-Policy stops markup that got in anyway: an
# inline script and an onerror handler slipped into a page do not run, and do
# run once the policy is taken out (so the check can see them run).
sed 's|<body>|<body><script>document.body.setAttribute("data-ran","script")</script><img src=x onerror="document.body.setAttribute(\x27data-ran2\x27,\x27handler\x27)">|' \
  "$work/both/pages/$slug/2.2.html" >"$work/injected.html"
sed 's|<meta http-equiv="Content-Security-Policy"[^>]*>||' "$work/injected.html" \
  >"$work/injected-no-policy.html"
dom "file://$work/injected.html" "$work/injected.dom"
dom "file://$work/injected-no-policy.html" "$work/injected-no-policy.dom"
! grep -q '<body[^>]*data-ran' "$work/injected.dom" &&
  grep -q '<body[^>]*data-ran="script"' "$work/injected-no-policy.dom" &&
  grep -q '<body[^>]*data-ran2="handler"' "$work/injected-no-policy.dom"
tap_ok $? "the page policy blocks injected inline scripts and handlers (which run without it)"

# Screenshots for people (not asserted): build/test-artifacts/html/.
shot "file://$work/both/index.html" "$artifacts/index.png" 2400
shot "file://$work/both/pages/$slug/1.1.2.html" "$artifacts/hostile-case.png" 2400
shot "file://$work/echo-html/pages/$(ls "$work/echo-html/pages")/7.1.1.html" \
  "$artifacts/echo-case.png" 2400
[ -s "$artifacts/index.png" ] && [ -s "$artifacts/hostile-case.png" ] && [ -s "$artifacts/echo-case.png" ]
tap_ok $? "screenshots written to $artifacts/"
tap_done
