#!/usr/bin/env bash
# Issue 14's whole GPU measurement in one go, for the `device` tool:
#   run(command="bash benchmarks/gpu_session.sh", carry=[".gpu"], timeout_s=540)
# with .gpu/ (excluded from git: echo /.gpu/ >> .git/info/exclude) holding
# the device machine's setup, device_setup.sh and the wheels it installs
# (the machine has no package index; guide 08 says what they are).
# Most important first; every step has its own timeout and writes to $OUT,
# and none starts after DEADLINE seconds (default 520: the device tool's
# 600 s a call, less margin).
# Old and new code paths run side by side in one process or one after the
# other on the same card (model.bbox_head.batched_targets=False is the old
# per-image target assignment).
set -u
OUT=${OUT:-/tmp/gpu_out}
mkdir -p "$OUT"
source .gpu/device_setup.sh > "$OUT/setup.log" 2>&1 || { tail -20 "$OUT/setup.log"; exit 1; }
tail -1 "$OUT/setup.log"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$OUT/card.txt"
DEADLINE=${DEADLINE:-520}  # seconds of this script; later steps are skipped
step() {  # name, timeout (s), command...
  local name=$1 limit=$2; shift 2
  local left=$((DEADLINE - SECONDS))
  if [ "$left" -lt 20 ]; then echo "== $name skipped (deadline)"; return; fi
  [ "$limit" -gt "$left" ] && limit=$left
  echo "== $name (at ${SECONDS} s, limit ${limit} s)"
  timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
  echo "exit $?" >> "$OUT/$name.log"
  grep -v -i warn "$OUT/$name.log" | tail -30
}
step assigner 60 python3 benchmarks/bench_assigner.py --device cuda --batches 32 128 --reps 10
step train_step_fp32 120 python3 benchmarks/bench_train_step.py configs/thesis_detector/fcos_uis_kitti_tiny.py \
  --batch 128 --scale 1280 384 --device cuda --iters 3
for variant in old new; do
  opt=$([ $variant = old ] && echo "model.bbox_head.batched_targets=False" || echo "model.bbox_head.batched_targets=True")
  step "train_py_$variant" 180 python3 tools/train.py benchmarks/configs/fcos_uis_kitti_repeat_1280.py \
    --work-dir "$OUT/train_py_$variant" --cfg-options $opt
  python3 - "$OUT/train_py_$variant" <<'PY'
import glob, json, sys
recs = [json.loads(l) for f in glob.glob(sys.argv[1] + '/*/vis_data/scalars.json')
        for l in open(f) if '"loss"' in l]
t = [r['time'] for r in recs[2:]]  # skip the warm-up records
print(f'{sys.argv[1]}: {sum(t) / len(t):.3f} s/iter, {128 * len(t) / sum(t):.0f} img/s over {len(t)} logged windows')
PY
done
step train_step_bf16 120 python3 benchmarks/bench_train_step.py configs/thesis_detector/fcos_uis_kitti_tiny.py \
  --batch 128 --scale 1280 384 --device cuda --iters 3 --bf16
step train_step_channels_last 120 python3 benchmarks/bench_train_step.py configs/thesis_detector/fcos_uis_kitti_tiny.py \
  --batch 128 --scale 1280 384 --device cuda --iters 3 --channels-last
step is_overhead 90 python3 benchmarks/bench_is_overhead.py --device cuda --batch 128 --scale 1280 384 --iters 5 \
  --configs configs/thesis_detector/fcos_uis_kitti_tiny.py
# ATSS, FCOS and RetinaNet train with mmcv's sigmoid_focal_loss, which the
# CPU-ops build of device_setup.sh lacks on CUDA: GFL and RTMDet (quality
# focal loss, plain torch) only
step is_overhead_stock_heads 150 python3 benchmarks/bench_is_overhead.py --device cuda --batch 16 --scale 1280 384 --iters 5 \
  --configs configs/stock_heads/gfl_r50_fpn_lis_kitti_tiny.py configs/stock_heads/rtmdet_tiny_lis_kitti_tiny.py
