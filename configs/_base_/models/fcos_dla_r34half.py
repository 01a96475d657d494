# The detector of the thesis (docs/method.md section 1): half-width ResNet34 from
# scratch, DLA neck to one stride-8 map, FCOS-style softmax head, no centerness.
custom_imports = dict(imports=['mmdet_is'], allow_failed_imports=False)

model = dict(
    type='FCOS',  # mmdet's single-stage detector; the parts below are ours
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='ResNet',
        depth=34,
        base_channels=32,  # half width: stages of 32/64/128/256 channels
        num_stages=4,
        out_indices=(1, 2, 3),  # strides 8/16/32, channels 64/128/256
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        init_cfg=None),
    neck=dict(
        type='DLANeck', in_channels=[64, 128, 256], out_channels=128),
    bbox_head=dict(
        type='FCOSSoftmaxHead',
        num_classes=4,
        in_channels=128,
        feat_channels=128,
        stacked_convs=2,
        strides=(8, ),
        prior_prob=0.01,
        norm_cfg=dict(type='GN', num_groups=32, requires_grad=True),
        assigner=dict(type='DontCarePointAssigner'),
        loss_cls=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=1.0)),
    test_cfg=dict(
        nms_pre=1000,
        score_thr=0.5,
        nms=dict(type='nms', iou_threshold=0.5),
        max_per_img=100))
