#!/usr/bin/env python3
"""Reads the files of interop runs for ci/interop.sh.

  verdicts.py table SERVER=DIR=SECONDS...
      One row of outcome counts per run (DIR/results.json), plus the wsconform
      run time and the wall-clock time of the whole run (server start to stop).
  verdicts.py ids KIND GATE_JSON
      The ids of one list of a baseline gate's JSON (the OUT/baseline.json of
      `wsconform run --baseline`): KIND is regressions, improvements, new or
      missing; comma-separated, as wsconform run --cases takes them.

Comparing runs with the baselines and recording them is wsconform's own work
(`wsconform run --baseline`, `wsconform baseline`). Only the standard library
is used.
"""
import json
import os
import sys

OUTCOMES = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED", "NOT RUN"]
GATE_LISTS = ["regressions", "improvements", "new", "missing"]


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cmd_table(args):
    rows = []
    for arg in args:
        server, d, wall = arg.split("=", 2)
        r = load_json(os.path.join(d, "results.json"))
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


def cmd_ids(args):
    kind, path = args
    if kind not in GATE_LISTS:
        print(__doc__, file=sys.stderr)
        return 2
    print(",".join(entry["id"] for entry in load_json(path)[kind]))
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "table":
        return cmd_table(argv[2:])
    if len(argv) == 4 and argv[1] == "ids":
        return cmd_ids(argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, ValueError, KeyError) as e:
        print(f"verdicts.py: {e}", file=sys.stderr)
        sys.exit(2)
