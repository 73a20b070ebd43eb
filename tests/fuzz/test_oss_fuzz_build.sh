#!/usr/bin/env bash
# fuzz/build.sh as OSS-Fuzz and ClusterFuzzLite call it: every target lands in
# $OUT under its own name with its seed zip, dictionary and options, and each
# binary runs its own seed corpus without a finding.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
targets=$(ls fuzz/*.c | sed -e '/\/driver_/d' -e 's|^fuzz/||' -e 's|\.c$||')
echo "1..$(( $(echo "$targets" | wc -w) + 1 ))"

if OUT=$tmp/out WORK=$tmp/work SRC=$tmp CC=clang CXX=clang++ \
   CFLAGS="-O1 -gline-tables-only -fsanitize=address,undefined,fuzzer-no-link" \
   LIB_FUZZING_ENGINE=-fsanitize=fuzzer fuzz/build.sh >"$tmp/build.log" 2>&1; then
  echo "ok 1 - fuzz/build.sh with the OSS-Fuzz environment"
else
  echo "not ok 1 - fuzz/build.sh with the OSS-Fuzz environment"
  tail -n 20 "$tmp/build.log" | sed 's/^/# /'
fi

i=1
for t in $targets; do
  i=$((i + 1))
  problems=()
  [ -x "$tmp/out/$t" ] || problems+=("no executable $t")
  [ -f "fuzz/$t.dict" ] && ! cmp -s "fuzz/$t.dict" "$tmp/out/$t.dict" && problems+=("$t.dict not copied")
  [ -f "fuzz/$t.options" ] && ! cmp -s "fuzz/$t.options" "$tmp/out/$t.options" && problems+=("$t.options not copied")
  seeds=$tmp/seeds/$t
  mkdir -p "$seeds"
  n=$(python3 - "$tmp/out/${t}_seed_corpus.zip" "$seeds" <<'PY' 2>/dev/null
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    z.extractall(sys.argv[2])
    print(len(z.namelist()))
PY
  )
  [ "${n:-0}" -gt 0 ] || problems+=("${t}_seed_corpus.zip missing or empty")
  if [ ${#problems[@]} -eq 0 ] &&
     ! ASAN_OPTIONS=detect_leaks=1 "$tmp/out/$t" -runs=0 -timeout=10 "$seeds" >"$tmp/$t.log" 2>&1; then
    problems+=("the binary fails on its own seeds")
  fi
  if [ ${#problems[@]} -eq 0 ]; then
    echo "ok $i - $t: binary, $n seeds in ${t}_seed_corpus.zip, dictionary, options"
  else
    echo "not ok $i - $t: ${problems[*]}"
    [ -f "$tmp/$t.log" ] && grep -E 'ERROR|SUMMARY|violated' "$tmp/$t.log" | head -n 5 | sed 's/^/# /'
  fi
done
