#!/usr/bin/env bash
# Source-based coverage of codec/src reached by the fuzz targets' corpora.
#
#   fuzz/coverage.sh [ROOT | TARGET:DIR]...
#
# Every target runs its seeds and regressions (corpus/<target>/), plus, for
# each ROOT given, ROOT/<target>/ when it exists (default ROOT:
# $FUZZ_BUILD/corpus, where fuzz-smoke and campaigns put what they found),
# plus each DIR given as TARGET:DIR (an AFL++ queue, say). The binaries are
# $FUZZ_BUILD/coverage/<target> (make fuzz-coverage-build): clang
# -fprofile-instr-generate -fcoverage-mapping around the replay driver.
# Prints, per target, the line coverage of each file of codec/src it reaches
# (and of the sources outside it that it names, harness/lang/caselang.c say), then
# llvm-cov's report over all targets together; writes $FUZZ_BUILD/coverage/html/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
. fuzz/target-settings.sh
build=${FUZZ_BUILD:-build/fuzz}
out=$build/coverage
targets=$(ls fuzz/*.c | sed -e '/\/driver_/d' -e 's|^fuzz/||' -e 's|\.c$||')

# llvm tools of the same major version as clang, when there is a choice.
major=$(${FUZZ_COV_CC:-clang} --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1)
pick() {
  local t
  for t in "$1-$major" "$1"; do
    if command -v "$t" >/dev/null 2>&1; then echo "$t"; return; fi
  done
  echo "coverage: $1 not found (Debian: apt-get install llvm-$major)" >&2
  exit 1
}
profdata=$(pick llvm-profdata)
cov=$(pick llvm-cov)

roots=() extra=()
for a in "$@"; do
  case $a in
    *:*) extra+=("$a") ;;
    *) roots+=("$a") ;;
  esac
done
[ $# -gt 0 ] || roots=("$build/corpus")

rm -rf "$out/profiles" "$out/html"
mkdir -p "$out/profiles"
objects=() sources=(codec/src/*.c)
printf '%-18s %7s  %s\n' target inputs "line coverage of each file it reaches"
for t in $targets; do
  bin=$out/$t
  [ -x "$bin" ] || { echo "coverage: $bin missing (make fuzz-coverage-build)" >&2; exit 1; }
  mapfile -t dirs < <(fuzz_seed_dirs "$t")
  for r in "${roots[@]}"; do
    [ -d "$r/$t" ] && dirs+=("$r/$t")
  done
  for e in "${extra[@]}"; do
    [ "${e%%:*}" = "$t" ] && dirs+=("${e#*:}")
  done
  inputs=$(find "${dirs[@]}" -type f ! -name 'README*' ! -name '.*' | wc -l)
  # One process for all inputs; a crash would lose the profile, so say so.
  if ! LLVM_PROFILE_FILE="$out/profiles/$t.profraw" "$bin" -q "${dirs[@]}" >/dev/null 2>"$out/profiles/$t.log"; then
    echo "coverage: $t crashed on an input, see $out/profiles/$t.log" >&2
    continue
  fi
  "$profdata" merge -sparse "$out/profiles/$t.profraw" -o "$out/profiles/$t.profdata"
  own=$(sed -n 's|.*fuzz-extra-sources:\(.*\)\*/.*|\1|p' "fuzz/$t.c")
  for e in $own; do sources+=("$e"); done
  # Rows: file regions missed cover functions missed executed lines missed cover ...;
  # error.c is left out: every target looks up error names there.
  reached=$("$cov" report "$bin" -instr-profile="$out/profiles/$t.profdata" codec/src/*.c $own |
    awk '$1 ~ /\.c$/ && $1 !~ /error\.c$/ && $8 > $9 { sub(/.*\//, "", $1); printf "%s %s  ", $1, $10 }')
  printf '%-18s %7d  %s\n' "$t" "$inputs" "$reached"
  if [ ${#objects[@]} -eq 0 ]; then objects=("$bin"); else objects+=("-object" "$bin"); fi
done

"$profdata" merge -sparse "$out"/profiles/*.profraw -o "$out/all.profdata"
echo
mapfile -t sources < <(printf '%s\n' "${sources[@]}" | sort -u)
echo "All targets together:"
"$cov" report "${objects[@]}" -instr-profile="$out/all.profdata" "${sources[@]}"
"$cov" show "${objects[@]}" -instr-profile="$out/all.profdata" -format=html \
  -output-dir="$out/html" -show-line-counts-or-regions "${sources[@]}"
echo
echo "HTML report: $out/html/index.html"
