#!/usr/bin/env bash
# The spectral norm of a 4096 × 4096 float32 matrix (issue 20: ≤ 1 s, within 1e-4 of numpy's
# linalg.norm(W, 2)), side by side with numpy computing the same, and `ckpt stats --metrics all`
# (every table metric of the tensor: statistics, doctor sweep, spectral norm and stable rank).
# Usage: tests/bench/spectral.sh [BUILD_DIR] [SIDE]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
side=${2:-4096}
data=/tmp/ckpt-bench-spectral-$side.npy
py=/usr/bin/python3
ckpt="$build/app/ckpt"

"$py" - "$data" "$side" <<'PY'
import os, sys, numpy as np
path, side = sys.argv[1], int(sys.argv[2])
if not os.path.exists(path):
    np.save(path, np.random.default_rng(0).standard_normal((side, side), dtype=np.float32))
PY
cat "$data" >/dev/null # in the page cache

s=$(date +%s.%N)
ours=$("$ckpt" stats --csv --metrics all "$data" | tail -1 | awk -F, '{print $(NF-2)}')
e=$(date +%s.%N)
ckpt_time=$(echo "$s $e" | awk '{print $2-$1}')
# The spectral part alone: the same command with the basic metrics only, taken off.
s=$(date +%s.%N)
"$ckpt" stats --csv --metrics basic "$data" >/dev/null
e=$(date +%s.%N)
basic_time=$(echo "$s $e" | awk '{print $2-$1}')

read -r numpy_norm numpy_time < <("$py" - "$data" <<'PY'
import sys, time, numpy as np
w = np.load(sys.argv[1])
t = time.perf_counter()
n = np.linalg.norm(w.astype(np.float64), 2)
print(repr(n), time.perf_counter() - t)
PY
)
echo "matrix $side x $side float32 (warm)"
echo "ckpt stats --metrics all: ${ckpt_time} s, spectral norm $ours"
echo "ckpt stats --metrics basic: ${basic_time} s; the spectral part: $(echo "$ckpt_time $basic_time" | awk '{printf "%.2f", $1-$2}') s (goal <= 1 s)"
echo "numpy linalg.norm(W, 2):  ${numpy_time} s, spectral norm $numpy_norm"
awk -v a="$ours" -v b="$numpy_norm" -v t="$ckpt_time" -v n="$numpy_time" \
    'BEGIN { r = (a - b) / b; if (r < 0) r = -r; printf "relative difference %.2e (goal <= 1e-4); numpy / ckpt %.1f\n", r, n / t }'
