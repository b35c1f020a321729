#!/usr/bin/env bash
# The whole tensor table with spectral metrics (`ckpt stats --csv --metrics all`) of a 1.5 GB
# transformer-shaped PyTorch checkpoint (issue 20: ≤ 10 s), side by side with torch computing the
# same spectral norms and Frobenius norms after torch.load, and the basic table alone
# (`--metrics basic`) for the cost of the spectral part. Warm page cache.
# Usage: tests/bench/table.sh [BUILD_DIR] [--no-torch]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
data=/tmp/ckpt-bench-table.pt
ckpt="$build/app/ckpt"
py=/usr/bin/python3

# GPT-2 medium's shapes as PyTorch weights: 24 blocks of hidden 1024 and MLP 4096, vocabulary 50257
# (1.42 GB of float32 in 293 tensors, 145 of them matrices).
"$py" - "$data" <<'PY'
import os, sys, torch
path = sys.argv[1]
if not os.path.exists(path):
    torch.manual_seed(0)
    h, f, v = 1024, 4096, 50257
    sd = {"wte.weight": torch.randn(v, h) * 0.02, "wpe.weight": torch.randn(1024, h) * 0.01}
    for i in range(24):
        p = f"h.{i}."
        for n in ("ln_1", "ln_2"):
            sd[p + n + ".weight"], sd[p + n + ".bias"] = torch.ones(h), torch.zeros(h)
        for n in ("q", "k", "v", "o"):
            sd[p + f"attn.{n}_proj.weight"] = torch.randn(h, h) * 0.02
        sd[p + "mlp.fc_in.weight"] = torch.randn(f, h) * 0.02
        sd[p + "mlp.fc_out.weight"] = torch.randn(h, f) * 0.02
        sd[p + "mlp.fc_in.bias"], sd[p + "mlp.fc_out.bias"] = torch.zeros(f), torch.zeros(h)
    sd["ln_f.weight"], sd["ln_f.bias"] = torch.ones(h), torch.zeros(h)
    torch.save(sd, path)
PY
cat "$data" >/dev/null
seconds() { local s=$(date +%s.%N); "$@" >/dev/null; local e=$(date +%s.%N); echo "$s $e" | awk '{print $2-$1}'; }
size=$(stat -c %s "$data")
echo "file $data: $((size / 1048576)) MiB, $(nproc) cores, warm page cache"
basic=$(seconds "$ckpt" stats --csv --metrics basic "$data")
all=$(seconds "$ckpt" stats --csv --metrics all "$data")
echo "ckpt stats --metrics basic: $basic s"
echo "ckpt stats --metrics all:   $all s (goal <= 10 s)"
"$ckpt" stats --csv --metrics all "$data" > /tmp/ckpt-bench-table.csv
[ "${2:-}" = --no-torch ] && exit 0
torch_time=$("$py" - "$data" /tmp/ckpt-bench-table.csv <<'PY'
import csv, sys, time, torch
t = time.perf_counter()
sd = torch.load(sys.argv[1])
norms = {k: float(torch.linalg.matrix_norm(w.double(), 2)) for k, w in sd.items() if w.ndim == 2}
elapsed = time.perf_counter() - t
worst = 0.0
for row in csv.DictReader(open(sys.argv[2])):
    if row["name"] in norms:
        worst = max(worst, abs(float(row["spectral_norm"]) - norms[row["name"]]) / norms[row["name"]])
print(f"{elapsed:.2f} {worst:.2e}")
PY
)
read -r t worst <<<"$torch_time"
echo "torch.load + torch.linalg.matrix_norm(W, 2) of every matrix: $t s; largest relative difference $worst"
awk -v a="$all" -v t="$t" 'BEGIN { printf "torch / ckpt %.1f\n", t / a }'
