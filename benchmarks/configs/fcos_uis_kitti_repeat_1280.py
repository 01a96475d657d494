# End-to-end throughput of the thesis setting with stock tools/train.py
# (benchmarks/gpu_session.sh): UIS, 1280 x 384, batch 128, the 81 bundled
# KITTI training frames repeated 32 times (21 iterations per epoch), 12
# loader workers, no validation.
_base_ = '../../configs/thesis_detector/fcos_uis_kitti_tiny.py'

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(1280, 384), keep_ratio=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor', 'flip', 'flip_direction', 'sample_idx'))
]
train_dataloader = dict(
    batch_size=128,
    num_workers=12,
    pin_memory=True,
    sampler=dict(batch_size=128),
    dataset=dict(
        _delete_=True,
        type='RepeatDataset',
        times=32,
        dataset=dict(
            type='KittiDataset',
            data_root='data/kitti_tiny/',
            ann_file='train.txt',
            data_prefix=dict(img='images', label='labels'),
            filter_cfg=dict(filter_empty_gt=False),
            pipeline=train_pipeline)))
train_cfg = dict(max_epochs=2, val_interval=1000)
val_dataloader = None
val_cfg = None
val_evaluator = None
default_hooks = dict(logger=dict(interval=5),
                     checkpoint=dict(interval=1000, save_best=None))
