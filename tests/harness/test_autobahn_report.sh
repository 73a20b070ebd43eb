#!/usr/bin/env bash
# Autobahn's JSON reports (wsconform run/report --autobahn-json) as scripts
# written for Autobahn|Testsuite read them. The shape checked here is the one
# of published Autobahn reports: tungstenite-rs' autobahn/expected-results.json
# and denoland/autobahn's reports/servers/index.json (agent -> case id ->
# exactly behavior, behaviorClose, duration (int ms), remoteCloseCode (int or
# null), reportfile; keys sorted; 3-space indent, as Python's json.dumps(...,
# indent=3, sort_keys=True) writes them, no newline after the last brace;
# reportfile = agent lower-cased with [^a-z0-9] as "_", "_case_", the id with
# "." as "_", ".json"). Then tungstenite-rs' CI gate, unchanged: index.json
# without durations diffed against one made from an earlier run.
set -u
cd "$(dirname "$0")/../.."
. tests/harness/lib.sh
work=$(mktemp -d)
trap 'stop_echo; rm -rf "$work"' EXIT
agent='wsconform Echo/0.1 (test)'
cases='1.*,2.*,7.*,12.1.[1-6],H.1.1,H.2.1,M.1,L.5'  # 12.1.7 up cost seconds each

start_echo || exit 1
"$WSCONFORM_BIN" run "$ECHO_URL" --cases "$cases" --agent "$agent" --timeout-scale "$SCALE" \
  --out "$work/first" --autobahn-json "$work/first-ab" >"$work/out" 2>&1
rc=$?
tap_ok $rc "a run against the echo server with --autobahn-json passes"
[ $rc -eq 0 ] || tap_diag <"$work/out"
"$WSCONFORM_BIN" run "$ECHO_URL" --cases "$cases" --agent "$agent" --timeout-scale "$SCALE" \
  --out "$work/second" >/dev/null 2>&1
tap_ok $? "a second run of the same cases passes"
stop_echo

# Every verdict: FAILED and WRONG CODE, NON-STRICT, UNIMPLEMENTED; in 7.5.1 the
# broken server echoes a close reason that is not UTF-8 (the report stays ASCII).
start_echo --no-deflate --break rsv,late-utf8,close-payload || exit 1
"$WSCONFORM_BIN" run "$ECHO_URL" --cases '3.1,6.4.1,7.5.1,7.9.1,12.1.1' --agent 'Broken@1.0' \
  --timeout-scale "$SCALE" --out "$work/broken" >/dev/null 2>&1
stop_echo
# NOT RUN: a target that is gone.
"$WSCONFORM_BIN" run "$ECHO_URL" --cases '1.1.1,1.1.2' --agent 'Gone' --out "$work/gone" \
  >/dev/null 2>&1

"$WSCONFORM_BIN" report "$work/first" --autobahn-json "$work/report-first" 2>"$work/out"
tap_ok $? "wsconform report --autobahn-json writes the report"; tap_diag <"$work/out"
diff -r "$work/first-ab" "$work/report-first" >"$work/out" 2>&1
tap_ok $? "the same files as wsconform run --autobahn-json wrote"; tap_diag <"$work/out"
"$WSCONFORM_BIN" report "$work/first" "$work/broken" "$work/gone" --autobahn-json "$work/all" \
  2>"$work/out"
tap_ok $? "three runs (three agents) go into one report"; tap_diag <"$work/out"

"$PYTHON" - "$work/all" "$work/first" "$work/broken" "$work/gone" <<'PY' >"$work/checks" 2>&1
import json, os, re, sys

out, run_dirs = sys.argv[1], sys.argv[2:]
count = 0
def check(good, text, detail=()):
    """One line per check ("ok TEXT" / "not ok TEXT"); the shell numbers them."""
    global count
    count += 1
    print("ok" if good else "not ok", text)
    if not good:
        for d in list(detail)[:6]:
            print("#", d)

def report_file(agent, case_id):
    return re.sub(r"[^a-z0-9]", "_", agent.lower()) + "_case_" + case_id.replace(".", "_") + ".json"

# The rule reproduces the names in the published reports.
check(report_file("Tungstenite", "9.8.6") == "tungstenite_case_9_8_6.json"
      and report_file("UnknownServer", "1.1.1") == "unknownserver_case_1_1_1.json"
      and report_file("ws@8.18.3", "6.4.1") == "ws_8_18_3_case_6_4_1.json",
      "the reportfile rule gives the names of the published reports")

def python_layout(path):
    text = open(path, encoding="ascii").read()
    return text == json.dumps(json.loads(text), indent=3, sort_keys=True), text

good, text = python_layout(f"{out}/index.json")
check(good, "index.json: sorted keys, 3-space indent, ASCII, no final newline (Autobahn's bytes)")
index = json.loads(text)
runs = [json.load(open(f"{d}/results.json")) for d in run_dirs]
agents = [r["agent"] for r in runs]
check(sorted(index) == sorted(agents), f"one entry per agent: {sorted(index)}")

KEYS = {"behavior", "behaviorClose", "duration", "remoteCloseCode", "reportfile"}
BEHAVIORS = {"OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"}
CLOSES = {"OK", "FAILED", "UNCLEAN", "WRONG CODE", "FAILED BY CLIENT", "INFORMATIONAL"}
shape, values, names, not_run = [], [], [], []
for run in runs:
    entries = index.get(run["agent"], {})
    played = [c for c in run["cases"] if c["outcome"] != "NOT RUN"]
    not_run += [c["id"] for c in run["cases"] if c["outcome"] == "NOT RUN" and c["id"] in entries]
    if sorted(entries) != sorted(c["id"] for c in played):
        values.append(f"{run['agent']}: ids {sorted(entries)[:5]}...")
    for c in played:
        e = entries.get(c["id"])
        if e is None:
            continue
        if set(e) != KEYS:
            shape.append(f"{c['id']}: keys {sorted(e)}")
        if not (e["behavior"] in BEHAVIORS and e["behaviorClose"] in CLOSES
                and type(e["duration"]) is int
                and (e["remoteCloseCode"] is None or type(e["remoteCloseCode"]) is int)
                and type(e["reportfile"]) is str):
            shape.append(f"{c['id']}: value types {e}")
        want = (c["outcome"], c["close_outcome"], round(c["duration_ms"]), c["remote_close_code"])
        got = (e["behavior"], e["behaviorClose"], e["duration"], e["remoteCloseCode"])
        if got != want:
            values.append(f"{run['agent']} {c['id']}: {got}, results.json says {want}")
        if e["reportfile"] != report_file(run["agent"], c["id"]):
            names.append(f"{c['id']}: {e['reportfile']}")
check(not shape, "every case entry has exactly Autobahn's five keys, with Autobahn's value types",
      shape)
check(not values, "verdicts, close verdicts, durations and close codes are results.json's", values)
check(not names, "every reportfile follows Autobahn's naming rule", names)
check(not not_run and "Gone" in index and index["Gone"] == {},
      "NOT RUN cases are left out, as Autobahn leaves out cases it did not play", not_run)
ids = set(index[agents[0]])
check({"H.1.1", "H.2.1", "M.1", "L.5"} <= ids,
      "cases without an Autobahn id are there by their own id")
seen = {(e["behavior"], e["behaviorClose"]) for a in index.values() for e in a.values()}
check({"FAILED", "NON-STRICT", "UNIMPLEMENTED", "INFORMATIONAL"} <= {b for b, _ in seen}
      and "WRONG CODE" in {c for _, c in seen}, f"the report holds every verdict: {sorted(seen)}")

# The per-case files.
bad_layout, bad_fields, bad_wire = [], [], []
files = 0
for run, run_dir in zip(runs, run_dirs):
    for i, c in enumerate(run["cases"]):
        if c["outcome"] == "NOT RUN":
            if os.path.exists(f"{out}/{report_file(run['agent'], c['id'])}"):
                bad_fields.append(f"{c['id']}: a file for a case that did not run")
            continue
        path = f"{out}/{index[run['agent']][c['id']]['reportfile']}"
        if not os.path.exists(path):
            bad_fields.append(f"{path} is missing")
            continue
        files += 1
        good, text = python_layout(path)
        if not good:
            bad_layout.append(path)
        d = json.loads(text)
        detail = json.load(open(f"{run_dir}/cases/{c['id']}.json", errors="surrogateescape"))
        e = index[run["agent"]][c["id"]]
        if (d["agent"], d["id"], d["case"], d["behavior"], d["behaviorClose"], d["duration"],
                d["remoteCloseCode"], d["isServer"]) != (run["agent"], c["id"], i + 1,
                e["behavior"], e["behaviorClose"], e["duration"], e["remoteCloseCode"], False):
            bad_fields.append(f"{c['id']}: header fields differ from index.json")
        if not d["description"].startswith(c["title"]) or c["requirement"] not in d["description"]:
            bad_fields.append(f"{c['id']}: description {d['description'][:60]!r}")
        expect_lines = [" ".join(l.split()) for l in detail["case_text"].splitlines()
                        if l.split() and l.split()[0] in ("expect", "close")]
        if [" ".join(l.split()) for l in d["expectation"].splitlines()] != expect_lines:
            bad_fields.append(f"{c['id']}: expectation {d['expectation']!r}")
        if c["outcome"] != "OK" and c["reason"] and d["result"] != c["reason"]:
            bad_fields.append(f"{c['id']}: result {d['result']!r}")
        if len(d["received"]) != len(detail["events"]):
            bad_fields.append(f"{c['id']}: {len(d['received'])} received events")
        flags = (detail["closed_by"] == "suite", detail["tcp_closed_by"] == "suite",
                 detail["clean"])
        if (d["closedByMe"], d["droppedByMe"], d["wasClean"]) != flags:
            bad_fields.append(f"{c['id']}: close flags")
        if not (d["httpRequest"].startswith("GET ") and d["httpRequest"].endswith("\r\n\r\n")
                and d["httpRequest"].count("\r\n\r\n") == 1):
            bad_wire.append(f"{c['id']}: httpRequest {d['httpRequest'][:40]!r}")
        if not (d["httpResponse"] or "").startswith("HTTP/1.1 "):
            bad_wire.append(f"{c['id']}: httpResponse {d['httpResponse']!r}")
        log = d["wirelog"]
        kinds = [row[0] for row in log]
        wire, frames = detail["wire"], detail["frames"]
        want = {"TO": len(wire["out"]["chunks"]), "RO": len(wire["in"]["chunks"]),
                "TF": len(frames["out"]["list"]), "RF": len(frames["in"]["list"])}
        got = {k: kinds.count(k) for k in want}
        if got != want or kinds[:1] != ["TO"]:
            bad_wire.append(f"{c['id']}: wirelog rows {got}, want {want}")
        if "TF" in kinds and kinds.index("TF") < (kinds + ["RO"]).index("RO"):
            bad_wire.append(f"{c['id']}: a frame sent before the handshake response came")
        if any(len(row[1]) != 2 or type(row[1][0]) is not int for row in log):
            bad_wire.append(f"{c['id']}: a wirelog row without [length, data]")
        tx = sum(int(n) * k for n, k in (d["txOctetStats"] or {}).items())
        whole = detail["wire"]["out"]["chunks_omitted"] == 0
        if whole and d["txOctetStats"] is None:
            bad_wire.append(f"{c['id']}: no octet statistics for a whole wire log")
        all_whole = all(detail["wire"][k]["chunks_omitted"] == 0 and
                        detail["frames"][k]["omitted"] == 0 for k in ("out", "in"))
        if d.get("createStats") is not all_whole:
            bad_wire.append(f"{c['id']}: createStats {d.get('createStats')!r} for "
                            f"{'whole' if all_whole else 'cut'} logs")
        if d["txOctetStats"] is not None and tx != detail["wire"]["out"]["bytes"]:
            bad_wire.append(f"{c['id']}: txOctetStats add up to {tx}")
check(files > 0 and not bad_layout, f"{files} per-case files, each in Autobahn's layout",
      bad_layout)
check(not bad_fields, "per-case files: agent, id, case index, verdicts, description, expectation, "
      "result, received events and close flags as the run recorded them", bad_fields)
check(not bad_wire, "per-case files: handshake heads, wire log rows and octet counts from the wire",
      bad_wire)
reason = json.load(open(f"{out}/{report_file('Broken@1.0', '7.5.1')}"))["remoteCloseReason"]
check(isinstance(reason, str) and "\ufffd" in reason and reason.endswith("edited"),
      f"a close reason that is not UTF-8 is kept, its bad bytes as U+FFFD: {reason!r}")
print("checks", count)
PY
rc=$?
n=$(sed -n 's/^checks //p' "$work/checks")
if [ "$rc" -ne 0 ] || [ -z "$n" ]; then
  tap_ok 1 "the report's checks ran to the end (exit $rc)"; tap_diag <"$work/checks"
else
  while IFS= read -r line; do
    case $line in
      "ok "*) tap_ok 0 "${line#ok }" ;;
      "not ok "*) tap_ok 1 "${line#not ok }" ;;
      "checks "*) ;;
      *) echo "$line" ;;
    esac
  done <"$work/checks"
fi

# tungstenite-rs' gate: jq 'del(.[][].duration)' on both, then diff.
"$WSCONFORM_BIN" report "$work/second" --autobahn-json "$work/report-second" 2>"$work/out"
tap_ok $? "the second run's report is written"; tap_diag <"$work/out"
jq 'del(.[][].duration)' "$work/report-first/index.json" >"$work/expected.json"
jq 'del(.[][].duration)' "$work/report-second/index.json" >"$work/a.json"
cp "$work/expected.json" "$work/b.json"
diff "$work/a.json" "$work/b.json" >"$work/out"
tap_ok $? "the gate passes: the second run's index.json, without durations, equals the first's"
tap_diag <"$work/out"
grep -q '"1.1.1"' "$work/b.json" && grep -q '"behavior": "OK"' "$work/b.json"
tap_ok $? "the expected file holds 1.1.1 and OK verdicts"
jq '.[]["1.1.1"].behavior = "FAILED"' "$work/expected.json" >"$work/b.json"
diff "$work/a.json" "$work/b.json" >/dev/null
tap_ok $(( $? != 1 )) "the gate fails when one case's verdict differs from the expected file"
jq '.[]["1.1.1"].remoteCloseCode = 1002' "$work/expected.json" >"$work/b.json"
diff "$work/a.json" "$work/b.json" >/dev/null
tap_ok $(( $? != 1 )) "and when one case's close code differs"

# The report folder is made with its parents; one that cannot be made is an error.
"$WSCONFORM_BIN" report "$work/broken" --autobahn-json "$work/deep/er/ab" 2>"$work/out" &&
  [ -f "$work/deep/er/ab/index.json" ]
tap_ok $? "the report folder is made with its parents"; tap_diag <"$work/out"
touch "$work/plain-file"
"$WSCONFORM_BIN" report "$work/broken" --autobahn-json "$work/plain-file/ab" >"$work/out" 2>&1
rc=$?
tap_ok $(( rc != 2 )) "a folder that cannot be made exits 2 (exit $rc)"
grep -q "plain-file/ab: cannot create" "$work/out"; tap_ok $? "and says which folder"

# Agents whose names give the same file names cannot share a report.
"$WSCONFORM_BIN" report "$work/first" "$work/second" --autobahn-json "$work/clash" >"$work/out" 2>&1
rc=$?
tap_ok $(( rc != 2 )) "two runs of one agent in one report exit 2 (exit $rc)"
grep -q "same Autobahn report names" "$work/out"; tap_ok $? "and say why"

# A case twice in one run would be two entries under one key.
mkdir -p "$work/twice"
"$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1]))
d["cases"].append(d["cases"][0]); json.dump(d, open(sys.argv[2], "w"))' \
  "$work/gone/results.json" "$work/twice/results.json"
"$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1]))
d["cases"][0]["outcome"] = d["cases"][2]["outcome"] = "OK"; json.dump(d, open(sys.argv[1], "w"))' \
  "$work/twice/results.json"
"$WSCONFORM_BIN" report "$work/twice" --autobahn-json "$work/twice-ab" >"$work/out" 2>&1
rc=$?
tap_ok $(( rc != 2 )) "a run with a case twice exits 2 (exit $rc)"
grep -q "case 1.1.1 is there twice" "$work/out"; tap_ok $? "and names the case"

tap_done
