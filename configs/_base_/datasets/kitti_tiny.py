# The bundled 101 real KITTI frames (data/kitti_tiny, see its README for the
# licence): frames 000000-000080 train, 000081-000100 validation.
dataset_type = 'KittiDataset'
data_root = 'data/kitti_tiny/'
img_scale = (640, 192)  # (w, h); KITTI frames are about 1242 x 375
backend_args = None

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'flip', 'flip_direction', 'sample_idx'))
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'sample_idx', 'instances'))
]

train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='train.txt',
        data_prefix=dict(img='images', label='labels'),
        filter_cfg=dict(filter_empty_gt=False),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='val.txt',
        data_prefix=dict(img='images', label='labels'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

# Don't-care boxes (ignore_flag) become iscrowd ignore regions in pycocotools.
# CocoMetric: COCO's standard keys (coco/...); StratifiedCocoMetric: the
# thesis metric, all-point AP@0.5 by class x relative size (strat/...).
val_evaluator = [
    dict(type='CocoMetric', ann_file=None, metric='bbox', classwise=True,
         format_only=False, backend_args=backend_args),
    dict(type='StratifiedCocoMetric', ann_file=None,
         area_fractions=(0.0033, 0.03), backend_args=backend_args)
]
test_evaluator = val_evaluator
