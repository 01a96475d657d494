# RHO step 2 on the bundled KITTI frames: the hold-out model, the same
# detector with a quarter-width ResNet34 (stages of 16/32/64/128 channels),
# trained on the hold-out split written by tools/rho/split_holdout.py.
_base_ = './fcos_baseline_kitti_tiny.py'

model = dict(
    backbone=dict(base_channels=16), neck=dict(in_channels=[32, 64, 128]))
train_dataloader = dict(dataset=dict(ann_file='train_holdout.txt'))
train_cfg = dict(max_epochs=100, val_interval=25)  # thesis: 100 epochs
default_hooks = dict(checkpoint=dict(interval=25))
