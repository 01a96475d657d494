# Fewer images to the same accuracy, confirmed on a second domain: printed-
# circuit-board defects (DeepPCB, data/deeppcb: 1,000 training
# and 500 test images, six balanced classes, one scale of object):
#   python3 tools/analysis/study.py configs/studies/deeppcb_tta.py --jobs 2 --threads 1
# The scale and schedule of underwater_tta.py: ResNet34 at one eighth of
# its width with a 32-channel neck and head, batch 16, Adam 1e-3 with a
# one-epoch warm-up and cosine decay over 16 epochs; the 640 x 640 images
# at 320 x 320 (the median defect, 35 x 33 px, becomes 17 x 16 px: two
# stride-8 locations a side); validation on the 500 test images after
# every epoch. Arms, 3 seeds each: uniform (the baseline); threshold
# closeness at the full number of iterations (the underwater study's best
# time to accuracy); 'tiers' with the detection-quality score (its best
# selection rule) and 'random' at the same keep ratio (its control).
name = 'DeepPCB, ResNet34/8, 320x320, batch 16, cosine schedule, 16 epochs'
epochs = 16
methods = dict(
    baseline='configs/thesis_detector/fcos_baseline_deeppcb.py',
    closeness='configs/thesis_detector/fcos_closeness_deeppcb.py',
    tiers='configs/thesis_detector/fcos_tiers_deeppcb.py',
    random='configs/thesis_detector/fcos_random_deeppcb.py')
baseline = 'baseline'
seeds = [0, 1, 2]
metric = 'strat/AP50'
# budget curves (added after the study): one complete schedule each
families = dict(uniform=['baseline'], closeness=['closeness'],
                tiers=['tiers'], random=['random'])
budget_others = ['random']
work_dir = 'work_dirs/study_deeppcb_tta'
out_dir = 'docs/deeppcb_tta'

img_scale = (320, 320)
cfg_options = {
    'model.backbone.base_channels': 8,
    'model.neck.in_channels': [16, 32, 64],
    'model.neck.out_channels': 32,
    'model.bbox_head.in_channels': 32,
    'model.bbox_head.feat_channels': 32,
    'model.bbox_head.norm_cfg.num_groups': 8,
    'train_dataloader.batch_size': 16,
    'train_dataloader.num_workers': 1,
    'val_dataloader.batch_size': 16,
    'val_dataloader.num_workers': 1,
    'val_evaluator': [
        dict(type='StratifiedCocoMetric', ann_file=None,
             area_fractions=(0.0033, 0.03))
    ],
    'train_cfg.max_epochs': epochs,
    'train_cfg.val_interval': 1,
    'param_scheduler.1.end': epochs,
    'default_hooks.checkpoint.interval': 1,
    'default_hooks.checkpoint.max_keep_ckpts': 1,
}
