# The bundled 101 real KITTI frames (data/kitti_tiny, see its README for the
# licence): frames 000000-000080 train, 000081-000100 validation.
#
# Parts under names no OpenMMLab config uses, so that a config can list this
# file next to a stock mmdet config in ``_base_`` (two bases must not define
# the same key) and take the parts with ``{{_base_.kitti_...}}``:
# ``kitti_train_dataset`` / ``kitti_val_dataset`` / ``kitti_val_evaluator``
# for this project's ``kitti_tiny.py``; ``kitti_is_train_dataloader``,
# ``kitti_val_dataloader`` (``_delete_``: they replace a stock config's COCO
# dataloaders) for the stock-head configs in ``configs/stock_heads/``.
kitti_img_scale = (640, 192)  # (w, h); KITTI frames are about 1242 x 375

# CheckedLoadImageFromFile: mmcv's loader that names a corrupt image
kitti_train_pipeline = [
    dict(type='CheckedLoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=kitti_img_scale, keep_ratio=False),
    # random augmentation seeded by each draw of an ImportanceSampler: a
    # resumed run flips as the uninterrupted one did
    dict(type='SeedAugmentation'),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'flip', 'flip_direction', 'sample_idx'))
]
kitti_test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='Resize', scale=kitti_img_scale, keep_ratio=False),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'sample_idx', 'instances'))
]

kitti_train_dataset = dict(
    type='KittiDataset',
    data_root='data/kitti_tiny/',
    ann_file='train.txt',
    data_prefix=dict(img='images', label='labels'),
    filter_cfg=dict(filter_empty_gt=False),
    pipeline=kitti_train_pipeline,
    backend_args=None)
kitti_val_dataset = dict(
    type='KittiDataset',
    data_root='data/kitti_tiny/',
    ann_file='val.txt',
    data_prefix=dict(img='images', label='labels'),
    test_mode=True,
    pipeline=kitti_test_pipeline,
    backend_args=None)

# Don't-care boxes (ignore_flag) become iscrowd ignore regions in pycocotools.
# CocoMetric: COCO's standard keys (coco/...); StratifiedCocoMetric: the
# thesis metric, all-point AP@0.5 by class x relative size (strat/...).
kitti_val_evaluator = [
    dict(type='CocoMetric', ann_file=None, metric='bbox', classwise=True,
         format_only=False, backend_args=None),
    dict(type='StratifiedCocoMetric', ann_file=None,
         area_fractions=(0.0033, 0.03), backend_args=None)
]

# importance sampling by LIS with the batch of mmdet's 1x configs (2 per GPU)
kitti_is_train_dataloader = dict(
    _delete_=True,
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(
        type='ImportanceSampler',
        batch_size=2,
        policy=dict(type='importance'),
        score=dict(heuristic='lis', reduction='mean')),
    dataset=kitti_train_dataset)
kitti_val_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=kitti_val_dataset)
