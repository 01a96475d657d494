# Underwater object detection (URPC style; public GitHub repository
# LehiChiang/Underwater-object-detection-dataset, no licence given: never
# copied into this repository; docs/guide/01_getting_started.md says how to
# put it under data/underwater/). 2,560 training
# images; validation curves on the 128 validation and 506 test images
# together (634 images, 4,014 boxes). mmdet's CocoDataset reads it, with the
# project's box rule (CheckedCocoDataset: 48 training and 4 test boxes reach
# outside their image and are clipped to it).
# Another location:
#   --cfg-options train_dataloader.dataset.data_root=D \
#       val_dataloader.dataset.datasets.0.data_root=D \
#       val_dataloader.dataset.datasets.1.data_root=D
dataset_type = 'CheckedCocoDataset'
data_root = 'data/underwater/'
metainfo = dict(
    classes=('0B', '1B', '2B'),
    palette=[(220, 20, 60), (0, 0, 142), (0, 150, 0)])
backend_args = None

# Most images are 400 x 300; the rest (720 x 405 ... 3840 x 2160) are scaled
# to fit the same box, keeping their aspect ratio.
img_scale = (384, 288)  # (w, h)
# CheckedLoadImageFromFile: mmcv's loader that names a corrupt image
train_pipeline = [
    dict(type='CheckedLoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    # random augmentation seeded by each draw of an ImportanceSampler: a
    # resumed run flips as the uninterrupted one did
    dict(type='SeedAugmentation'),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'flip', 'flip_direction', 'sample_idx'))
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'sample_idx', 'instances'))
]

train_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/coco/instances_train.json',
        data_prefix=dict(img='images/train/'),
        filter_cfg=dict(filter_empty_gt=False),
        pipeline=train_pipeline,
        backend_args=backend_args))


val_split = dict(
    type=dataset_type,
    data_root=data_root,
    metainfo=metainfo,
    ann_file='annotations/coco/instances_val.json',
    data_prefix=dict(img='images/val/'),
    test_mode=True,
    pipeline=test_pipeline,
    backend_args=backend_args)
test_split = dict(
    val_split,
    ann_file='annotations/coco/instances_test.json',
    data_prefix=dict(img='images/test/'))

# image ids are unique across the splits, so one evaluation covers both
val_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='ConcatDataset', datasets=[val_split, test_split]))
test_dataloader = val_dataloader

# Ground truth from the samples' instances (ann_file=None). Size strata as
# fractions of each image's area (thesis table 4.2).
val_evaluator = [
    dict(type='CocoMetric', ann_file=None, metric='bbox', classwise=True,
         format_only=False, backend_args=backend_args),
    dict(type='StratifiedCocoMetric', ann_file=None,
         area_fractions=(0.0033, 0.03), backend_args=backend_args)
]
test_evaluator = val_evaluator
