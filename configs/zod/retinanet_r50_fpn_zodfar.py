# A stock MMDetection detector on ZODFAR by inheritance alone: mmdet's
# RetinaNet R50-FPN model, schedule and runtime with this project's ZODFAR
# dataset config (uniform sampling; no mmdet_is model parts). The backbone
# loads ImageNet weights through torchvision:// at the start of training.
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py', '../_base_/datasets/zodfar.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py'
]
custom_imports = dict(imports=['mmdet_is'], allow_failed_imports=False)

model = dict(bbox_head=dict(num_classes=4))
train_dataloader = dict(batch_size=16)
