# The speed-up study on the real underwater images, at a reduced scale that
# a 2-core CPU trains in minutes per run:
#   python3 tools/analysis/study.py configs/studies/underwater_r34eighth.py
# Every run uses the method's own config (full scale: the thesis detector,
# batch 128) with the same cfg_options below: ResNet34 at one eighth of its
# width (stages 8/16/32/64 channels) with a 32-channel neck and head,
# 320 x 240 (the 400 x 300 images scaled by 0.8), batch 16, Adam 1e-3 as in
# the thesis, 6 epochs (960 iterations), validation on the 634 validation +
# test images after every epoch (160 iterations) with the thesis metric only
# (StratifiedCocoMetric: all-point AP@0.5 by class and size).
# Measured on the 2-core CPU: 0.31 s per iteration with 2 threads; two runs
# side by side with 1 thread each 0.50 s per iteration (1.25x the images per
# second of the two together), hence --jobs 2 --threads 1.
name = 'underwater, ResNet34/8, 320x240, batch 16'
methods = dict(
    baseline='configs/thesis_detector/fcos_baseline_underwater.py',
    lis='configs/thesis_detector/fcos_lis_underwater.py',
    uis='configs/thesis_detector/fcos_uis_underwater.py',
    closeness='configs/thesis_detector/fcos_closeness_underwater.py',
    uis_ir='configs/thesis_detector/fcos_uis_ir_underwater.py',
    uis_rb='configs/thesis_detector/fcos_uis_rb_underwater.py',
    uis_unbiased='configs/thesis_detector/fcos_uis_unbiased_underwater.py',
    uis_anneal='configs/thesis_detector/fcos_uis_anneal_underwater.py',
    lis_unbiased='configs/thesis_detector/fcos_lis_unbiased_underwater.py',
    lis_anneal='configs/thesis_detector/fcos_lis_anneal_underwater.py')
baseline = 'baseline'
seeds = [0, 1, 2]
metric = 'strat/AP50'
work_dir = 'work_dirs/study_underwater_r34eighth'
out_dir = 'docs/underwater_study'

img_scale = (320, 240)
cfg_options = {
    'model.backbone.base_channels': 8,
    'model.neck.in_channels': [16, 32, 64],
    'model.neck.out_channels': 32,
    'model.bbox_head.in_channels': 32,
    'model.bbox_head.feat_channels': 32,
    'model.bbox_head.norm_cfg.num_groups': 8,
    'train_dataloader.batch_size': 16,
    'train_dataloader.num_workers': 1,
    'train_dataloader.dataset.pipeline.2.scale': img_scale,
    'val_dataloader.batch_size': 16,
    'val_dataloader.num_workers': 1,
    'val_dataloader.dataset.datasets.0.pipeline.1.scale': img_scale,
    'val_dataloader.dataset.datasets.1.pipeline.1.scale': img_scale,
    'val_evaluator': [
        dict(type='StratifiedCocoMetric', ann_file=None,
             area_fractions=(0.0033, 0.03))
    ],
    'train_cfg.max_epochs': 6,
    'train_cfg.val_interval': 1,
    'default_hooks.checkpoint.interval': 1,
    'default_hooks.checkpoint.max_keep_ckpts': 1,
}
