# Baseline (uniform sampling: a fresh permutation each epoch) on the bundled
# real KITTI frames, sized to train and evaluate on a 2-core CPU in < 15 min.
_base_ = [
    '../_base_/models/fcos_dla_r34half.py', '../_base_/datasets/kitti_tiny.py',
    '../_base_/schedules/adam_thesis.py', '../_base_/default_runtime.py'
]

# A low threshold gives a full precision-recall curve on this small model;
# the thesis-reproduction (ZODFAR) configs keep 0.5 / 0.5.
model = dict(test_cfg=dict(score_thr=0.05))

train_cfg = dict(max_epochs=40, val_interval=5)
default_hooks = dict(checkpoint=dict(interval=5))
