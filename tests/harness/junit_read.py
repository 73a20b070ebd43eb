"""Reads a wsconform JUnit report back with junitparser (a JUnit reader CI
tools use) and checks it against the runs' results.json.

usage: junit_read.py REPORT.xml [--strict] RESULTS.json...

Prints one TAP line per check, numbered from $TAP_FROM (default 1), and the
number of checks as the last line ("checks N"), for the calling script.
"""
import json
import os
import sys

from junitparser import Error, Failure, JUnitXml, Skipped

args = sys.argv[1:]
strict = "--strict" in args
args = [a for a in args if a != "--strict"]
report, result_files = args[0], args[1:]
number = int(os.environ.get("TAP_FROM", "1")) - 1


def check(good, text, detail=""):
    global number
    number += 1
    print(("ok" if good else "not ok"), number, "-", text)
    if not good and detail:
        for line in str(detail).splitlines():
            print("#", line)


runs = [json.load(open(p, encoding="utf-8", errors="surrogateescape")) for p in result_files]


def agent_of(run):
    return run.get("agent") or run.get("target") or "wsconform"


def expected_kind(case):
    if case["failed"] or (strict and case["outcome"] == "NON-STRICT"):
        return "failure"
    if case["outcome"] in ("UNIMPLEMENTED", "NOT RUN"):
        return "skipped"
    return "passed"


def as_xml_text(s):
    """What an XML reader gets back for a string the report had to clean:
    bytes that are not UTF-8 and characters XML 1.0 cannot carry are U+FFFD."""
    if isinstance(s, bytes):
        s = s.decode("utf-8", errors="surrogateescape")
    out = []
    for ch in s:
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:  # an undecodable byte
            out.append("\ufffd")
        elif o < 0x20 and ch not in "\t\n\r":
            out.append("\ufffd")
        elif o in (0xFFFE, 0xFFFF):
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


xml = JUnitXml.fromfile(report)
expected = {"tests": 0, "failure": 0, "skipped": 0}
for run in runs:
    for case in run["cases"]:
        expected["tests"] += 1
        kind = expected_kind(case)
        if kind != "passed":
            expected[kind] += 1

check(xml.tests == expected["tests"] and xml.failures == expected["failure"]
      and xml.skipped == expected["skipped"] and xml.errors == 0,
      f"<testsuites> counts: {expected['tests']} tests, {expected['failure']} failures, "
      f"{expected['skipped']} skipped, 0 errors",
      f"read tests={xml.tests} failures={xml.failures} skipped={xml.skipped} errors={xml.errors}")

# Every case read back from the test cases themselves, not the attributes.
seen = {}
suite_counts_ok = True
for suite in xml:
    cases = list(suite)
    kinds = []
    for tc in cases:
        results = tc.result
        kind = ("failure" if any(isinstance(r, Failure) for r in results)
                else "error" if any(isinstance(r, Error) for r in results)
                else "skipped" if any(isinstance(r, Skipped) for r in results) else "passed")
        kinds.append(kind)
        seen[(tc.classname.split(".")[1], tc.name.split(" ")[0])] = (kind, tc, suite)
    if (suite.tests != len(cases) or suite.failures != kinds.count("failure")
            or suite.skipped != kinds.count("skipped")):
        suite_counts_ok = False
check(suite_counts_ok, "each <testsuite>'s counts match its test cases")


def safe_part(s):
    return "".join(c if c.isascii() and (c.isalnum() or c in "_-") else "_" for c in s)


missing, wrong = [], []
for run in runs:
    for case in run["cases"]:
        key = (safe_part(agent_of(run)), case["id"])
        if key not in seen:
            missing.append(case["id"])
        elif seen[key][0] != expected_kind(case):
            wrong.append(f"{case['id']}: {seen[key][0]}, expected {expected_kind(case)}")
check(not missing and not wrong and len(seen) == expected["tests"],
      "every case is one <testcase> with the result its verdicts call for",
      "\n".join(missing[:5] + wrong[:5]))

# The message, type and body of every failure, and the message of every skip.
bad = []
for run in runs:
    for case in run["cases"]:
        key = (safe_part(agent_of(run)), case["id"])
        if key not in seen:
            continue
        kind, tc, suite = seen[key]
        if kind == "failure":
            f = [r for r in tc.result if isinstance(r, Failure)][0]
            want = as_xml_text(case["reason"]) or f"{case['outcome']}/{case['close_outcome']}"
            if f.message != want:
                bad.append(f"{case['id']}: message {f.message!r}, expected {want!r}")
            if f.type != f"{case['outcome']}/{case['close_outcome']}":
                bad.append(f"{case['id']}: type {f.type!r}")
            body = f.text or ""
            if case["rfc"] and f"RFC 6455 section {case['rfc']}" not in body:
                bad.append(f"{case['id']}: the body does not name RFC 6455 section {case['rfc']}")
            if case.get("requirement") and as_xml_text(case["requirement"]) not in body:
                bad.append(f"{case['id']}: the body does not quote the requirement")
        elif kind == "skipped":
            s = [r for r in tc.result if isinstance(r, Skipped)][0]
            if not (s.message or "").startswith(case["outcome"]):
                bad.append(f"{case['id']}: skipped message {s.message!r}")
        elif case["outcome"] != "OK" or case["close_outcome"] != "OK":
            out = tc.system_out or ""
            if as_xml_text(case["reason"]) not in out:
                bad.append(f"{case['id']}: <system-out> {out!r} lacks the reason")
        want_time = max(case.get("duration_ms", 0), 0) / 1000
        if abs(float(tc.time) - want_time) > 0.0006:
            bad.append(f"{case['id']}: time {tc.time}, expected {want_time}")
        if len(runs) > 1 and not suite.name.startswith(agent_of(run) + ": "):
            bad.append(f"{case['id']}: suite {suite.name!r} does not name the agent")
check(not bad, "failure messages are the reasons, types the verdicts, bodies the RFC "
      "section and requirement; skips, outputs and times as results.json says",
      "\n".join(bad[:8]))
print("checks", number)
