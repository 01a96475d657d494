# Baseline of the thesis (section 4.5) on ZODFAR: uniform sampling (a fresh
# permutation each epoch), batch 128, Adam lr 1e-3 betas (0.9, 0.999) eps
# 1e-7, 350 epochs, score threshold 0.5 and NMS IoU 0.5.
#   mim train mmdet configs/zod/fcos_baseline_zodfar.py
_base_ = [
    '../_base_/models/fcos_dla_r34half.py', '../_base_/datasets/zodfar.py',
    '../_base_/schedules/adam_thesis.py', '../_base_/default_runtime.py'
]

# 703 iterations per epoch; validating every 5th epoch still gives 70 points
# on the speed-up curves (tools/analysis/speedup.py).
train_cfg = dict(max_epochs=350, val_interval=5)
default_hooks = dict(checkpoint=dict(interval=5))
