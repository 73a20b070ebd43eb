#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script.
#
# Honours the environment those builders set: $CC $CXX $CFLAGS $CXXFLAGS
# $LIB_FUZZING_ENGINE $OUT $SRC (and $WORK for intermediate files). Builds
# libwscodec with $CC $CFLAGS, links every fuzz target with
# $LIB_FUZZING_ENGINE into $OUT/<target>, and writes
# $OUT/<target>_seed_corpus.zip, $OUT/<target>.dict and $OUT/<target>.options.
#
# Locally, for instance:
#   CC=clang CXX=clang++ CFLAGS="-fsanitize=address,fuzzer-no-link" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out SRC=/work fuzz/build.sh

# The repository: beside this script, or the working directory, or $SRC/wsconform.
repo=
for d in "$(dirname "$0")/.." "$PWD" "${SRC:-/src}/wsconform"; do
  if [ -d "$d/codec/src" ] && [ -d "$d/fuzz" ]; then
    repo=$(cd "$d" && pwd)
    break
  fi
done
[ -n "$repo" ] || { echo "build.sh: cannot find the wsconform sources" >&2; exit 1; }

: "${OUT:?build.sh: OUT must name the output folder}"
CC=${CC:-clang}
CXX=${CXX:-clang++}
CFLAGS=${CFLAGS:-}
CXXFLAGS=${CXXFLAGS:-$CFLAGS}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}
work=${WORK:-$(mktemp -d)}/wsconform-fuzz
rm -rf "$work"
mkdir -p "$work/codec" "$work/fuzz" "$OUT"

cd "$repo"
std="-std=c11 -D_POSIX_C_SOURCE=200809L -Icodec/include -Iharness"

# OpenSSL (SHA-1, base64 for the handshake): statically when the archive is
# there, as the image that runs the fuzzers may lack the shared library.
crypto="-lcrypto"
static=$($CC -print-file-name=libcrypto.a)
if [ "$static" != "libcrypto.a" ] && [ -f "$static" ]; then
  crypto="$static -ldl -lpthread"
fi
# zlib (permessage-deflate) likewise.
zlib="-lz"
static=$($CC -print-file-name=libz.a)
if [ "$static" != "libz.a" ] && [ -f "$static" ]; then
  zlib=$static
fi

objs=()
for src in codec/src/*.c; do
  o=$work/codec/$(basename "${src%.c}").o
  $CC $CFLAGS $std -c "$src" -o "$o"
  objs+=("$o")
done
ar rcs "$work/libwscodec.a" "${objs[@]}"

for src in fuzz/*.c; do
  t=$(basename "${src%.c}")
  case $t in driver_*) continue ;; esac
  # Sources and libraries a target names in its own file (see fuzz/fuzz.mk).
  extra_src=$(sed -n 's|.*fuzz-extra-sources:\(.*\)\*/.*|\1|p' "$src")
  extra_libs=$(sed -n 's|.*fuzz-extra-libs:\(.*\)\*/.*|\1|p' "$src")
  tobjs=("$work/fuzz/$t.o")
  $CC $CFLAGS $std -c "$src" -o "$work/fuzz/$t.o"
  for e in $extra_src; do
    o=$work/fuzz/$t-$(basename "${e%.c}").o
    $CC $CFLAGS $std -c "$e" -o "$o"
    tobjs+=("$o")
  done
  $CXX $CXXFLAGS "${tobjs[@]}" $LIB_FUZZING_ENGINE "$work/libwscodec.a" \
    $extra_libs $crypto $zlib -o "$OUT/$t"

  # Seeds: corpus/<target>/ and the folders the target names (fuzz-extra-seeds).
  rm -f "$OUT/${t}_seed_corpus.zip"
  python3 - "$OUT/${t}_seed_corpus.zip" "corpus/$t" \
    $(sed -n 's|.*fuzz-extra-seeds:\(.*\)\*/.*|\1|p' "$src") <<'PY'
import os, sys, zipfile
dest, roots = sys.argv[1], sys.argv[2:]
with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
    for root in roots:
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for f in sorted(files):
                if not f.startswith("README"):
                    p = os.path.join(d, f)
                    z.write(p, os.path.relpath(p, "."))
PY
  [ -f "fuzz/$t.dict" ] && cp "fuzz/$t.dict" "$OUT/$t.dict"
  [ -f "fuzz/$t.options" ] && cp "fuzz/$t.options" "$OUT/$t.options"
  echo "build.sh: $OUT/$t"
done
