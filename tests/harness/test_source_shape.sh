#!/usr/bin/env bash
# The harness stays readable: no source file in harness/ over 800 lines, no
# function over 80, and every file in a folder of its concept (harness/*/).
set -u
cd "$(dirname "$0")/../.."
python3 - <<'PY'
import glob, re

FILE_MAX, FUNCTION_MAX = 800, 80
count = 0
def check(good, text, details=()):
    global count
    count += 1
    print(("ok" if good else "not ok"), count, "-", text)
    for d in details:
        print("#", d)

loose = [p for p in glob.glob("harness/*") if not p.endswith(".md") and not glob.os.path.isdir(p)]
check(not loose, "every harness source file is in a concept folder", loose)

sources = sorted(glob.glob("harness/*/*.[ch]"))
long_files = [f"{p}: {n} lines" for p in sources
              for n in [sum(1 for _ in open(p))] if n > FILE_MAX]
check(not long_files, f"no harness file over {FILE_MAX} lines ({len(sources)} files)", long_files)

# A function: a line that is exactly "{" after its signature, up to "}".
long_functions = []
for p in sources:
    lines = open(p).read().split("\n")
    start = None
    for i, line in enumerate(lines):
        if line == "{":
            j = i - 1
            while j > 0 and not re.match(r"[A-Za-z_]", lines[j]):
                j -= 1
            start, name = i, lines[j].split("(")[0]
        elif line == "}" and start is not None:
            if i - start + 1 > FUNCTION_MAX:
                long_functions.append(f"{p}:{start + 1}: {name}: {i - start + 1} lines")
            start = None
check(not long_functions, f"no harness function over {FUNCTION_MAX} lines", long_functions)
print(f"1..{count}")
PY
