# DeepPCB (Tang et al., "Online PCB Defect Detector On A New PCB Defect
# Dataset", 2019; public GitHub repository tangsanli5201/DeepPCB, MIT
# licence): 640 x 640 binarised printed-circuit-board images with six
# defect classes, 1,000 training and 500 test images in COCO format, under
# data/deeppcb/ (docs/guide/01_getting_started.md says how to put them
# there; never copied into this repository), read by mmdet's
# CocoDataset with the project's box rule (CheckedCocoDataset: non-finite
# boxes refused, boxes clipped to the image; none needs it here);
# validation curves on the 500 test images.
# Another location: --cfg-options train_dataloader.dataset.data_root=D
#   val_dataloader.dataset.data_root=D
dataset_type = 'CheckedCocoDataset'
data_root = 'data/deeppcb/'
metainfo = dict(
    classes=('open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole'),
    palette=[(220, 20, 60), (0, 0, 142), (0, 150, 0), (255, 128, 0),
             (128, 0, 255), (0, 160, 160)])
backend_args = None

img_scale = (640, 640)  # (w, h): the images as they are
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
        ann_file='annotations/train.json',
        data_prefix=dict(img='images/'),
        filter_cfg=dict(filter_empty_gt=False),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/test.json',
        data_prefix=dict(img='images/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

# Ground truth from the samples' instances (ann_file=None); size strata as
# fractions of each image's area (thesis table 4.2: 1,352 and 12,288 px^2
# at 640 x 640; the median defect, 35 x 33 px, is small).
val_evaluator = [
    dict(type='CocoMetric', ann_file=None, metric='bbox', classwise=True,
         format_only=False, backend_args=backend_args),
    dict(type='StratifiedCocoMetric', ann_file=None,
         area_fractions=(0.0033, 0.03), backend_args=backend_args)
]
test_evaluator = val_evaluator
