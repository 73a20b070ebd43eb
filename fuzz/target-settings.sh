# What the fuzz/ scripts know of each target, sourced by them.
#
# fuzz_options TARGET prints the libFuzzer arguments of fuzz/TARGET.options
# ([libfuzzer] "key = value" lines, the ClusterFuzz format) and of
# fuzz/TARGET.dict, one per line.
fuzz_options() {
  local t=$1
  if [ -f "fuzz/$t.options" ]; then
    awk '/^[ \t]*[#;]/ { next }
         /^\[/ { on = ($0 == "[libfuzzer]"); next }
         on && /=/ { k = $0; sub(/[ \t]*=.*/, "", k); v = $0; sub(/^[^=]*=[ \t]*/, "", v);
                     gsub(/[ \t]/, "", k); print "-" k "=" v }' "fuzz/$t.options"
  fi
  if [ -f "fuzz/$t.dict" ]; then
    echo "-dict=fuzz/$t.dict"
  fi
}

# fuzz_seed_dirs TARGET prints the folders of TARGET's seeds, one per line:
# corpus/TARGET, then any folder its source names in a comment line
#   /* fuzz-extra-seeds: cases */
# (the case library seeds the case-language target without being copied).
fuzz_seed_dirs() {
  local t=$1 d
  echo "corpus/$t"
  for d in $(sed -n 's|.*fuzz-extra-seeds:\(.*\)\*/.*|\1|p' "fuzz/$t.c"); do
    echo "$d"
  done
}
