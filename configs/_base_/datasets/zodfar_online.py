# ZODFAR cropped online from the full ZOD Frames (ZODDataset + FarRoICrop):
# no conversion step, but every sample decodes an 8 MP JPEG (see
# benchmarks/bench_zodfar_pipeline.py); same images and boxes as zodfar.py.
_base_ = './zodfar.py'

dataset_type = 'ZODDataset'
data_root = 'data/zod/'
crop_window = (1284, 892, 1280, 384)  # (x0, y0, w, h), full-frame pixels

load_and_crop = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='FarRoICrop', crop_window=crop_window),
    dict(type='Resize', scale={{_base_.img_scale}}, keep_ratio=False)
]
meta_keys = ('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor',
             'sample_idx')
train_pipeline = load_and_crop + [
    dict(type='PackDetInputs', meta_keys=meta_keys)
]
test_pipeline = load_and_crop + [
    dict(type='PackDetInputs', meta_keys=meta_keys + ('instances', ))
]
zod_dataset = dict(_delete_=True, type=dataset_type, data_root=data_root,
                   version='full', anonymization='blur',
                   filter_cfg=dict(filter_empty_gt=False))
train_dataloader = dict(
    dataset=dict(split='train', pipeline=train_pipeline, **zod_dataset))
val_dataloader = dict(
    dataset=dict(split='val', test_mode=True, pipeline=test_pipeline,
                 **zod_dataset))
test_dataloader = val_dataloader
