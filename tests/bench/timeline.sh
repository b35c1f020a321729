#!/usr/bin/env bash
# ckpt timeline side by side with what users run instead (issue 19): `ckpt stats` over the same
# files, and the Python loop people write (torch.load each checkpoint, the same metrics with
# torch). A run of N PyTorch checkpoints of about MB megabytes each, written by torch, in the page
# cache (warm runs).   Usage: tests/bench/timeline.sh [BUILD_DIR] [N] [MB]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
n=${2:-20}
mb=${3:-200}
data=/tmp/ckpt-bench-timeline-$n-$mb
py=/usr/bin/python3
ckpt="$build/app/ckpt"

"$py" - "$data" "$n" "$mb" <<'PY'
import os, sys, torch
data, n, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(data, exist_ok=True)
torch.manual_seed(0)
side = int((mb * 2**20 / 4 / 4) ** 0.5)  # four square float32 matrices
state = {f"layer{i}.weight": torch.randn(side, side) for i in range(4)}
for step in range(n):
    path = os.path.join(data, f"step-{step * 100}.pt")
    if not os.path.exists(path):
        torch.save({"global_step": step * 100, "model_state_dict": state}, path)
    state = {k: v + 0.01 * torch.randn_like(v) for k, v in state.items()}
PY

cat "$data"/*.pt >/dev/null # in the page cache
best() {
  local b=999999
  for _ in 1 2 3; do
    local s=$(date +%s.%N); "$@" >/dev/null 2>&1; local e=$(date +%s.%N)
    b=$(echo "$b $s $e" | awk '{t=$3-$2; print (t<$1)?t:$1}')
  done
  echo "$b"
}
stats_all() { for f in "$data"/*.pt; do "$ckpt" stats --json "$f" >/dev/null; done; }
python_loop() {
  "$py" - "$data" <<'PY'
import glob, re, sys, torch
files = sorted(glob.glob(sys.argv[1] + "/*.pt"), key=lambda f: int(re.findall(r"\d+", f)[-1]))
first = prev = None
for f in files:
    sd = torch.load(f, map_location="cpu")["model_state_dict"]
    for k, w in sd.items():
        w = w.double()
        row = [w.norm(), w.mean(), w.std(unbiased=False), w.min(), w.max(), w.abs().max(),
               (w == 0).double().mean(), torch.isnan(w).sum(), torch.isinf(w).sum()]
        if prev is not None:
            p, f0 = prev[k].double(), first[k].double()
            row += [(w - p).norm() / p.norm(), (w - f0).norm() / f0.norm(),
                    torch.dot(w.flatten(), p.flatten()) / (w.norm() * p.norm()),
                    torch.dot(w.flatten(), f0.flatten()) / (w.norm() * f0.norm())]
    first = first or sd
    prev = sd
PY
}
t_timeline=$(best "$ckpt" timeline --no-cache --csv "$data")
# Reopening a run already read (the per-step cache, in a fresh cache folder; goal < 100 ms).
export XDG_CACHE_HOME=$(mktemp -d)
"$ckpt" timeline "$data" >/dev/null
t_cached=$(best "$ckpt" timeline --csv "$data")
rm -rf "$XDG_CACHE_HOME"
t_stats=$(best stats_all)
t_python=$(best python_loop)
echo "| run of $n × ${mb} MB | ckpt timeline | ckpt stats ×$n | torch loop | timeline / stats (goal ≤ 1.2) | torch / timeline (goal ≥ 10) |"
echo "|---|---|---|---|---|---|"
awk -v a="$t_timeline" -v b="$t_stats" -v c="$t_python" -v n="$n" -v mb="$mb" \
  'BEGIN{printf "| warm | %.2f s | %.2f s | %.2f s | %.2f | %.1f |\n", a, b, c, a/b, c/a}'
awk -v t="$t_cached" 'BEGIN{printf "reopened from the cache: %.3f s (goal < 0.1 s)\n", t}'

# Memory flat in the number of checkpoints: peak RSS of `ckpt timeline` over 20 and over 200
# checkpoints of 8 MB (goal: the 200 need no more than the 20, apart from the metrics table).
if [ -x /usr/bin/time ]; then
    for count in 20 200; do
        "$py" - "/tmp/ckpt-bench-timeline-mem-$count" "$count" <<'PY'
import os, sys, torch
data, n = sys.argv[1], int(sys.argv[2])
os.makedirs(data, exist_ok=True)
torch.manual_seed(0)
state = {"a.weight": torch.randn(1024, 1024), "b.weight": torch.randn(1024, 1024)}
for step in range(n):
    path = os.path.join(data, f"step-{step}.pt")
    if not os.path.exists(path):
        torch.save(state, path)
    state = {k: v + 0.01 * torch.randn_like(v) for k, v in state.items()}
PY
    done
    peak() { /usr/bin/time -f %M "$ckpt" timeline --no-cache --csv "$1" 2>&1 >/dev/null | tail -1; }
    m20=$(peak /tmp/ckpt-bench-timeline-mem-20)
    m200=$(peak /tmp/ckpt-bench-timeline-mem-200)
    awk -v a="$m20" -v b="$m200" 'BEGIN{printf "peak memory: 20 checkpoints of 8 MB %.0f MiB, 200 of them %.0f MiB (ratio %.2f, goal: flat)\n", a/1024, b/1024, b/a}'
else
    echo "peak memory: not measured (/usr/bin/time missing: apt-get install time)"
fi
