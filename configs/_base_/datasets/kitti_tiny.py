# The bundled 101 real KITTI frames (data/kitti_tiny, see its README for the
# licence): frames 000000-000080 train, 000081-000100 validation. The
# datasets, pipelines and metrics are in kitti_tiny_parts.py.
_base_ = './kitti_tiny_parts.py'

train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset={{_base_.kitti_train_dataset}})
val_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset={{_base_.kitti_val_dataset}})
test_dataloader = val_dataloader

val_evaluator = {{_base_.kitti_val_evaluator}}
test_evaluator = val_evaluator
