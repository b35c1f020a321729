#!/usr/bin/env bash
# Side-by-side timings of ckpt against what users run instead (torch, numpy, h5py), on data made
# by make_data.py (~8 GB on disk plus a 30 GB sparse safetensors set). Not part of the test suite.
# Prints a Markdown table of goals, measurements and ratios.   Usage: tests/bench/run.sh [DATA_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
data=${1:-/tmp/ckpt-bench}
build="$here/build-bench"
(cd "$here" && cmake --preset bench >/dev/null)
cmake --build "$build" --parallel "$(nproc)" --target ckpt bench_core bench_app >/dev/null
ckpt="$build/app/ckpt"
bench="$build/tests/bench/bench_core"
app="$build/tests/bench/bench_app"
py=/usr/bin/python3
"$py" "$here/tests/bench/make_data.py" "$data" >/dev/null

best() { # best wall time in seconds of N runs of a command
  local n=$1; shift; local b=999999
  for _ in $(seq "$n"); do
    local s=$(date +%s.%N); "$@" >/dev/null 2>&1; local e=$(date +%s.%N)
    b=$(echo "$b $s $e" | awk '{t=$3-$2; print (t<$1)?t:$1}')
  done
  echo "$b"
}
peak_mib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1/1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", a/b}'; }
ms() { awk -v a="$1" 'BEGIN{printf "%.0f ms", a*1000}'; }
verdict() { awk -v v="$1" -v g="$2" -v dir="$3" 'BEGIN{ok = (dir=="min") ? (v>=g) : (v<=g); print ok ? "met" : "**not met**"}'; }
row() { echo "| $1 | $2 | $3 | $4 |"; }

echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| measurement | ckpt | alternative | ratio / goal |"
echo "|---|---|---|---|"

cat "$data/transformer.pt" "$data/big_f32.npy" "$data/big_f16.npy" "$data/big_bf16.safetensors" > /dev/null # warm the page cache
t_ckpt=$(best 5 "$ckpt" ls "$data/transformer.pt")
t_torch=$(best 3 $py -c "import torch; sd=torch.load('$data/transformer.pt'); [print(k, v.dtype, tuple(v.shape)) for k, v in sd.items()]")
m_ckpt=$(peak_mib "$ckpt" ls "$data/transformer.pt")
m_torch=$(peak_mib $py -c "import torch; sd=torch.load('$data/transformer.pt')")
r=$(ratio "$t_torch" "$t_ckpt")
row "list a 1.3 GB PyTorch checkpoint (200 tensors)" "\`ckpt ls\` $(ms "$t_ckpt"), peak $m_ckpt MiB" "torch.load + list $(ms "$t_torch"), peak $m_torch MiB" "${r}× faster (goal ≥ 40×: $(verdict "$r" 40 min)); memory ≤ 64 MiB: $(verdict "$m_ckpt" 64 max)"
t_sh=$(best 5 "$ckpt" ls "$data/sharded/model.safetensors.index.json")
m_sh=$(peak_mib "$ckpt" ls "$data/sharded/model.safetensors.index.json")
t_small=$(best 5 "$ckpt" ls "$here/tests/data/safetensors/sharded/model.safetensors.index.json" 2>/dev/null || echo 0)
row "list a 30 GB sharded safetensors set (4 shards, 400 tensors; larger than RAM)" "$(ms "$t_sh"), peak $m_sh MiB" "a 3-tensor sharded fixture: $(ms "$t_small")" "independent of data size; memory ≤ 64 MiB: $(verdict "$m_sh" 64 max)"

t_stats=$(best 5 "$ckpt" stats --bins 256 "$data/big_f32.npy")
t_np=$(best 5 $py -c "
import numpy as np; a=np.load('$data/big_f32.npy', mmap_mode='r')
a.min(); a.max(); a.mean(); a.std(); np.isnan(a).sum(); (a==0).sum(); np.histogram(a, bins=256)")
t_sum=$(best 5 $py -c "import numpy as np; a=np.load('$data/big_f32.npy', mmap_mode='r'); a.sum()")
r=$(ratio "$t_np" "$t_stats")
row "stats + 256-bin histogram, 1e8 float32 (.npy), whole process" "$(ms "$t_stats")" "numpy min/max/mean/std/isnan/==0/histogram $(ms "$t_np")" "${r}× faster (goal ≥ 10×: $(verdict "$r" 10 min))"
r=$(ratio "$t_stats" "$t_sum")
row "the same against one streaming pass" "$(ms "$t_stats")" "numpy \`a.sum()\` $(ms "$t_sum")" "${r}× numpy's time (goal ≤ 1.5×: $(verdict "$r" 1.5 max))"
for f in big_f32.safetensors big_f32.h5; do
  t=$(best 3 "$ckpt" stats --bins 256 "$data/$f")
  row "stats + histogram, 1e8 float32 ($f)" "$(ms "$t")" "" ""
done
t_h5py=$(best 3 $py -c "
import h5py, numpy as np; a=h5py.File('$data/big_f32.h5')['w'][...]
a.min(); a.max(); a.mean(); a.std(); np.isnan(a).sum(); (a==0).sum(); np.histogram(a, bins=256)")
t_h5=$(best 3 "$ckpt" stats --bins 256 "$data/big_f32.h5")
row "stats + histogram, 1e8 float32 HDF5" "$(ms "$t_h5")" "h5py + numpy $(ms "$t_h5py")" "$(ratio "$t_h5py" "$t_h5")× faster"
t_gz_h5py=$(best 3 $py -c "
import h5py, numpy as np; a=h5py.File('$data/big_f32_gzip.h5')['w'][...]
a.min(); a.max(); a.mean(); a.std(); np.isnan(a).sum(); (a == 0).sum(); np.histogram(a, 256)")
t_gz=$(best 3 "$ckpt" stats --bins 256 "$data/big_f32_gzip.h5")
r=$(ratio "$t_gz_h5py" "$t_gz")
row "stats + histogram, 1e8 float32 HDF5, chunked + shuffle + gzip (our decoder)" "$(ms "$t_gz")" "h5py + numpy $(ms "$t_gz_h5py")" "${r}× faster (goal ≥ 2×: $(verdict "$r" 2 min))"
t_u8_h5py=$(best 2 $py -c "
import h5py, numpy as np; d=h5py.File('$data/big_u8_2p31_gzip.h5')['x']
sum(int(d[s:s + 2**27].sum(dtype=np.int64)) for s in range(0, 2**31, 2**27))")
t_u8=$(best 2 "$ckpt" stats --bins 256 "$data/big_u8_2p31_gzip.h5")
r=$(ratio "$t_u8_h5py" "$t_u8")
row "stats + histogram, 2^31 uint8 HDF5, gzip (a 4 MB file)" "$(ms "$t_u8")" "h5py sum in blocks $(ms "$t_u8_h5py")" "${r}× faster (goal > 1×: $(verdict "$r" 1 min))"
t16=$(best 5 "$ckpt" stats --bins 256 "$data/big_f16.npy")
tbf=$(best 5 "$ckpt" stats --bins 256 "$data/big_bf16.safetensors")
r16=$(ratio "$t16" "$t_stats"); rbf=$(ratio "$tbf" "$t_stats")
row "stats of 1e8 float16 / bfloat16 vs float32" "$(ms "$t16") / $(ms "$tbf")" "float32 $(ms "$t_stats")" "${r16}× / ${rbf}× (goal ≤ 1.5×: $(verdict "$r16" 1.5 max) / $(verdict "$rbf" 1.5 max))"
echo
"$bench" stats "$data/big_f32.npy" array | sed 's/^/    in-process: /'
"$bench" stats "$data/big_f16.npy" array | sed 's/^/    in-process: /'
"$bench" stats "$data/big_bf16.safetensors" w | sed 's/^/    in-process: /'
echo

cat "$data/wide.npy" "$data/wide.h5" > /dev/null # warm: the goal is about our reads, not the disk's seeks
for f in wide.npy:array wide.h5:w; do
  file=${f%%:*}; name=${f##*:}
  line=$("$bench" window "$data/$file" "$name")
  med=$(echo "$line" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p'); worst=$(echo "$line" | sed -n 's/.*worst \([0-9.]*\) ms.*/\1/p')
  row "100 × 100 window of a 50 000 × 4096 float32 ($file), in process" "median $med ms, worst $worst ms" "" "goal < 10 ms: $(verdict "$worst" 10 max)"
done
t_np_win=$(best 3 $py -c "import numpy as np; a=np.load('$data/wide.npy', mmap_mode='r'); a[25000:25100, 2000:2100].copy()")
t_ckpt_win=$(best 3 "$ckpt" values --limit 100 "$data/wide.npy" array)
row "first values of the same tensor, whole process" "$(ms "$t_ckpt_win")" "numpy memmap slice $(ms "$t_np_win")" ""

if [ -x "$app" ]; then
  export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
  tree=$("$app" tree "$data/many.pt" | sed -n 's/.* \([0-9.]*\) ms after opening/\1/p')
  row "app: tree of a 1000-tensor checkpoint shown" "$tree ms" "" "goal ≤ 300 ms: $(verdict "$tree" 300 max)"
  stall=$("$app" stall "$data/big_f32.npy" array | sed -n 's/.*stall \([0-9.]*\) ms/\1/p')
  row "app: longest event-loop stall during a 1e8-element histogram" "$stall ms" "" "goal ≤ 50 ms: $(verdict "$stall" 50 max)"
fi

# ckpt export writes a temporary file, fsyncs it and renames it into place (atomic and durable),
# so the copy it is measured against is made durable the same way: cp, then fsync of the copy
# (coreutils `sync FILE`). The plain page-cache cp is printed beside it.
best_fresh() { # like best, with OUTPUT removed (and the removal synced) before each timed run
  local out=$1; shift; local b=999999
  for _ in 1 2 3 4 5; do
    rm -f "$out"; sync
    local s=$(date +%s.%N); "$@" >/dev/null 2>&1; local e=$(date +%s.%N)
    b=$(echo "$b $s $e" | awk '{t=$3-$2; print (t<$1)?t:$1}')
  done
  echo "$b"
}
t_exp=$(best_fresh "$data/export.h5" "$ckpt" export "$data/transformer.pt" -o "$data/export.h5" --select 'layers.1*')
sz=$(stat -c %s "$data/export.h5")
t_cps=$(best_fresh "$data/copy.h5" sh -c "cp '$data/export.h5' '$data/copy.h5' && sync '$data/copy.h5'")
t_cp=$(best_fresh "$data/copy.h5" cp "$data/export.h5" "$data/copy.h5")
pct=$(awk -v a="$t_cps" -v b="$t_exp" 'BEGIN{printf "%.0f", 100*a/b}')
pct_plain=$(awk -v a="$t_cp" -v b="$t_exp" 'BEGIN{printf "%.0f", 100*a/b}')
row "export $((sz / 1048576)) MiB subset to HDF5, durable (best of 5)" "$(ms "$t_exp")" "cp + fsync of the result $(ms "$t_cps"); plain cp (page cache only) $(ms "$t_cp")" "${pct}% of a durable copy's throughput (goal ≥ 70%: $(verdict "$pct" 70 min)); ${pct_plain}% of the plain cp"
rm -f "$data/export.h5" "$data/copy.h5"
