#!/usr/bin/env python3
"""Reads the results.json files of interop runs for ci/interop.sh.

  verdicts.py table SERVER=DIR=SECONDS...
      One row of outcome counts per run, plus the wsconform run time and the
      wall-clock time of the whole run (server start to stop).
  verdicts.py check [--recheck] BASELINE DIR
      Compares the (outcome, close_outcome) of every case in DIR/results.json
      with BASELINE; prints each difference as "SERVER: DIFF ID: ..."; exit 1
      if any case differs. Cases of the baseline the run left out are named,
      or only counted when there are more than ten (a --quick run). With
      --recheck, DIR holds a re-run of the cases
      that differed: a case that now matches is reported as flaky, and the
      cases of the baseline that were not re-run are not mentioned.
  verdicts.py record [--merge] BASELINE DIR...
      Writes BASELINE from one or more runs of the same server. A case whose
      verdicts differ between the runs is marked unstable with every verdict
      seen. The "note" of each case already in BASELINE is kept. With
      --merge, the verdicts already in BASELINE count as seen too (runs
      accumulate over several invocations).

Only the standard library is used.
"""
import json
import os
import sys

OUTCOMES = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED", "NOT RUN"]


def load(d):
    with open(os.path.join(d, "results.json"), encoding="utf-8") as f:
        return json.load(f)


def natural_key(case_id):
    # Same order as wsconform: dot-separated parts, numbers by value and
    # before words, a prefix first.
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in case_id.split(".")]


def verdict(case):
    return [case.get("outcome"), case.get("close_outcome")]


def show(v):
    return "/".join(v)


def cmd_table(args):
    rows = []
    for arg in args:
        server, d, wall = arg.split("=", 2)
        r = load(d)
        s = r.get("summary", {})
        rows.append([server, r.get("agent", "?")] + [str(s.get(k, 0)) for k in OUTCOMES]
                    + ["%.1f s" % (r.get("duration_ms", 0) / 1000.0), "%s s" % wall])
    head = ["server", "agent"] + OUTCOMES + ["run", "wall"]
    widths = [max(len(x[i]) for x in [head] + rows) for i in range(len(head))]

    def line(cells):
        out = []
        for i, c in enumerate(cells):
            out.append(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i]))
        return "  ".join(out).rstrip()

    print(line(head))
    print(line(["-" * w for w in widths]))
    for r in rows:
        print(line(r))
    return 0


def cmd_check(args):
    recheck = args[0] == "--recheck"
    if recheck:
        args = args[1:]
    baseline_path, d = args
    with open(baseline_path, encoding="utf-8") as f:
        base = json.load(f)
    run = load(d)
    name = base.get("server", os.path.basename(baseline_path))
    if run.get("agent") != base.get("agent"):
        print(f"{name}: note: baseline recorded with {base.get('agent')}, this run is {run.get('agent')}")
    expected = base["cases"]
    seen_ids = set()
    diffs = 0
    for case in run["cases"]:
        cid = case["id"]
        seen_ids.add(cid)
        got = verdict(case)
        want = expected.get(cid)
        if want is None:
            print(f"{name}: note: {cid} has no baseline; got {show(got)}: {case.get('reason', '')}")
            continue
        allowed = want["seen"] if want.get("unstable") else [[want["outcome"], want["close_outcome"]]]
        if got not in allowed:
            diffs += 1
            exp = " or ".join(show(v) for v in allowed)
            again = " again on a re-run alone" if recheck else ""
            print(f"{name}: DIFF {cid}: expected {exp}, got {show(got)}{again}: {case.get('reason', '')}")
        elif recheck:
            print(f"{name}: flaky {cid}: matched the baseline ({show(got)}) on a re-run alone")
    if recheck:
        print(f"{name}: {diffs} case(s) still differ from {baseline_path} on a re-run")
        return 1 if diffs else 0
    missing = sorted(set(expected) - seen_ids, key=natural_key)
    if 0 < len(missing) <= 10:
        for cid in missing:
            print(f"{name}: note: {cid} is in the baseline but was not run")
    elif missing:  # a selection of the cases (ci/interop.sh --quick): one line
        print(f"{name}: note: {len(missing)} cases of the baseline were not run "
              f"({missing[0]} ... {missing[-1]})")
    print(f"{name}: {diffs} case(s) differ from {baseline_path}")
    return 1 if diffs else 0


def write_baseline(path, head, cases):
    """Writes a baseline with one case per line, so that its diffs stay readable."""
    text = "{\n"
    for k, v in head.items():
        text += f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n"
    text += '  "cases": {\n'
    items = list(cases.items())
    for i, (cid, entry) in enumerate(items):
        comma = "," if i + 1 < len(items) else ""
        text += f"    {json.dumps(cid)}: {json.dumps(entry, ensure_ascii=False)}{comma}\n"
    text += "  }\n}\n"
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def cmd_record(args):
    merge = args[0] == "--merge"
    if merge:
        args = args[1:]
    baseline_path, dirs = args[0], args[1:]
    old = {}
    if os.path.exists(baseline_path):
        with open(baseline_path, encoding="utf-8") as f:
            old = json.load(f)
    runs = [load(d) for d in dirs]
    seen = {}
    if merge:
        for cid, e in old.get("cases", {}).items():
            seen[cid] = [list(v) for v in e["seen"]] if e.get("unstable") else [[e["outcome"], e["close_outcome"]]]
    for r in runs:
        for case in r["cases"]:
            v = verdict(case)
            lst = seen.setdefault(case["id"], [])
            if v not in lst:
                lst.append(v)
    cases = {}
    for cid in sorted(seen, key=natural_key):
        vs = seen[cid]
        if len(vs) == 1:
            entry = {"outcome": vs[0][0], "close_outcome": vs[0][1]}
        else:
            entry = {"unstable": True, "seen": sorted(vs)}
        note = old.get("cases", {}).get(cid, {}).get("note")
        if note and vs != [["OK", "OK"]]:
            entry["note"] = note
        cases[cid] = entry
    out = {
        "server": old.get("server") or os.path.splitext(os.path.basename(baseline_path))[0],
        "agent": runs[-1].get("agent"),
        "wsconform": runs[-1].get("version"),
        "runs": len(runs) + (old.get("runs", 0) if merge else 0),
        "comment": old.get("comment", "Verdicts (outcome, close_outcome) per case, observed over "
                    "several runs and reviewed against RFC 6455; \"note\" gives the judgement of "
                    "each non-OK verdict. Unstable cases list every verdict seen."),
    }
    write_baseline(baseline_path, out, cases)
    unstable = [c for c, e in cases.items() if e.get("unstable")]
    unreviewed = [c for c, e in cases.items() if "note" not in e
                  and (e.get("unstable") or [e["outcome"], e["close_outcome"]] != ["OK", "OK"])]
    print(f"{out['server']}: wrote {baseline_path} from {out['runs']} run(s); "
          f"{len(unstable)} unstable: {' '.join(unstable) or '-'}")
    if unreviewed:
        print(f"{out['server']}: non-OK verdicts without a note (review them): {' '.join(unreviewed)}")
    return 0


def main(argv):
    cmds = {"table": (cmd_table, 1), "check": (cmd_check, 2), "record": (cmd_record, 2)}
    flags = 1 if len(argv) > 2 and argv[2] in ("--recheck", "--merge") else 0
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 - flags < cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "check" and len(argv) != 4 + flags:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[argv[1]][0](argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
