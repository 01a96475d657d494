# FCOS (mmdet's FCOSHead) with importance sampling on the bundled
# KITTI frames: the stock mmdet config, its model unchanged but for the
# number of classes. Switching a stock config to importance sampling is
# custom_imports, the train dataloader's sampler (an ImportanceSampler with
# the dataloader's batch size, its policy and score, no batch_sampler) and
# the hook; the other lines only replace COCO by the KITTI frames. The backbone loads its
# ImageNet weights (download) at the start of training, as in mmdet.
_base_ = [
    'mmdet::fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py',
    '../_base_/datasets/kitti_tiny_parts.py'
]
custom_imports = dict(imports=['mmdet_is'], allow_failed_imports=False)

model = dict(bbox_head=dict(num_classes=4))
train_dataloader = {{_base_.kitti_is_train_dataloader}}
val_dataloader = {{_base_.kitti_val_dataloader}}
test_dataloader = val_dataloader
val_evaluator = {{_base_.kitti_val_evaluator}}
test_evaluator = val_evaluator
custom_hooks = [dict(type='ImportanceSamplingHook')]
