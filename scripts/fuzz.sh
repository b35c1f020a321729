#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into ./build-fuzz and runs each for
# SECONDS (default 60), seeded from the test fixtures. Fails if any target finds a crash, a
# leak, a timeout or an allocation over the limit; the reproducer is left in build-fuzz/findings.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
build="$here/build-fuzz"
(cd "$here" && cmake --preset fuzz >/dev/null)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(ninja -C "$build" -t targets all | sed -n 's/^\(fuzz_[a-z0-9_]*\): .*/\1/p' | sort -u)
fi
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}"

# Seed corpus directories (under tests/data) per target; every regular file in them is a seed.
seeds_for() {
  case "$1" in
    fuzz_pickle) echo "pickle torch numpy" ;;
    fuzz_hdf5) echo "hdf5 real/keras-h5 world/made world/fetched/hdf5" ;;
    fuzz_hdf5chunk) echo "hdf5chunk" ;;
    fuzz_npy | fuzz_npz) echo "numpy world/fetched/npy" ;;
    fuzz_flax) echo "world/made" ;;
    fuzz_torch*) echo "torch real/pytorch" ;;
    fuzz_safetensors*) echo "safetensors" ;;
    fuzz_mxnet) echo "mxnet real/mxnet" ;;
    fuzz_gguf) echo "gguf real/gguf" ;;
    fuzz_tf*) echo "tfcheckpoint real/tf-checkpoint" ;;
    fuzz_onnx) echo "onnx real/onnx" ;;
    fuzz_keras*) echo "keras3" ;;
    *) echo "" ;;
  esac
}

# Leaks inside system libraries we do not own are suppressed (the list says which and why).
export LSAN_OPTIONS="suppressions=$here/tests/sanitizer/lsan.supp:print_suppressions=0"

status=0
summary="$build/fuzz-summary.txt"
: >"$summary"
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  findings="$build/findings/$t"
  mkdir -p "$corpus" "$findings"
  for d in $(seeds_for "$t") bad; do
    [ -d "$here/tests/data/$d" ] || continue
    find "$here/tests/data/$d" -type f -size -4M \( ! -name '*.py' ! -name '*.json' ! -name '*.md' \) \
      -exec cp -n {} "$corpus/" \; 2>/dev/null || true
  done
  log="$build/$t.log"
  echo "== $t: ${seconds}s, $(ls "$corpus" | wc -l) seeds"
  if ! "$build/tests/fuzz/$t" "$corpus" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=1048576 \
      -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1; then
    echo "!! $t failed; log: $log; reproducer(s): $findings" ; tail -40 "$log"; status=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  echo "$t execs=${execs:-?} cov=${cov:-?} corpus=$(ls "$corpus" | wc -l)" | tee -a "$summary"
done
exit $status
