# ZODFAR (thesis 4.4): the 1280 x 384 far RoI of ZOD Frames' front camera,
# converted once by tools/dataset_converters/zod_to_zodfar.py and read with
# plain mmdet loading (CocoDataset; don't-care objects are iscrowd, which
# mmdet hands to the head as ignored instances). Another location:
#   --cfg-options train_dataloader.dataset.data_root=D \
#       val_dataloader.dataset.data_root=D test_dataloader.dataset.data_root=D
dataset_type = 'CocoDataset'
data_root = 'data/zodfar/'
metainfo = dict(
    classes=('Pedestrian', 'Vehicle', 'VulnerableVehicle', 'Animal'),
    palette=[(220, 20, 60), (0, 0, 142), (119, 11, 32), (0, 150, 0)])
backend_args = None

# The thesis describes no augmentation. Resize is a no-op on the 1280 x 384
# ZODFAR images; it sets the scale_factor that mmdet's post-processing needs.
img_scale = (1280, 384)  # (w, h)
# CheckedLoadImageFromFile: mmcv's loader that names a corrupt image
train_pipeline = [
    dict(type='CheckedLoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'sample_idx'))
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
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
        ann_file='annotations/zodfar_train.json',
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
        ann_file='annotations/zodfar_val.json',
        data_prefix=dict(img='images/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

# Ground truth from the samples' instances (ann_file=None), so moving the
# data root moves the evaluation with it. Size strata: thesis table 4.2.
val_evaluator = [
    dict(type='CocoMetric', ann_file=None, metric='bbox', classwise=True,
         format_only=False, backend_args=backend_args),
    dict(type='StratifiedCocoMetric', ann_file=None,
         area_fractions=(0.0033, 0.03), backend_args=backend_args)
]
test_evaluator = val_evaluator
