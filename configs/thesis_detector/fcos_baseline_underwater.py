# Baseline of the speed-up study (tools/analysis/study.py) on the real
# underwater images: uniform sampling (a fresh permutation each epoch), the
# thesis detector (half-width ResNet34, DLA neck, softmax head), batch 128 and
# Adam as in the thesis, 384 x 288. Full scale, for a GPU:
#   python3 tools/train.py configs/thesis_detector/fcos_baseline_underwater.py
# The CPU study runs these configs at a reduced scale set in
# configs/studies/underwater_r34eighth.py.
_base_ = [
    '../_base_/models/fcos_dla_r34half.py', '../_base_/datasets/underwater.py',
    '../_base_/schedules/adam_thesis.py', '../_base_/default_runtime.py'
]

# A low threshold gives the full precision-recall curve that AP needs.
model = dict(bbox_head=dict(num_classes=3), test_cfg=dict(score_thr=0.05))

# 20 iterations per epoch at batch 128
train_cfg = dict(max_epochs=300, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10))
