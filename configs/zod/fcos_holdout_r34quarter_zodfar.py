# RHO step 2 on ZODFAR: the hold-out model of the thesis (4.2.6), the same
# detector with a quarter-width ResNet34 (stages of 16/32/64/128 channels),
# 100 epochs at batch 128 on the hold-out split of tools/rho/split_holdout.py.
_base_ = './fcos_baseline_zodfar.py'

model = dict(
    backbone=dict(base_channels=16), neck=dict(in_channels=[32, 64, 128]))
train_dataloader = dict(
    dataset=dict(ann_file='annotations/zodfar_train_holdout.json'))
train_cfg = dict(max_epochs=100)
