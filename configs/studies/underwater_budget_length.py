# Where does uniform training on the underwater frames plateau on its own?
# One uniform run (seed 0) per candidate length, each its own complete
# schedule, so that the budget-curve study (underwater_budget.py) spans
# under-trained to plateau: L is the length at which doubling the epochs
# adds less than 0.01 strat/AP50.
#   python3 tools/analysis/study.py configs/studies/underwater_budget_length.py --jobs 1 --threads 1
# 32 and 64 epochs first; 128 only if 64 still gains 0.01 or more over 32
# (the 16-epoch study's 24-epoch run ended 0.05 above its 16).
#
# The setting of every run of the budget study, set here once: the scale
# of underwater_r34eighth.py (ResNet34 at 1/8 width, 32-channel neck and
# head, batch 16, Adam 1e-3) at 256 x 192 instead of 320 x 240 (0.28
# against 0.43 s an iteration alone on this CPU, 2026-12-06: at 320 x 240
# a 64-epoch plateau would make the study about 23 h), with the shipped
# data pipeline
# (CheckedCocoDataset, SeedAugmentation before RandomFlip), a one-epoch
# linear warm-up then cosine decay to 1 % at each run's own last epoch,
# validation on the 634 validation + test images every 4 epochs (the
# budget curves read each run's final value).
_base_ = './underwater_r34eighth.py'

name = ('underwater, uniform baseline, complete cosine schedules of 32, 64 '
        'and 128 epochs')


def _epochs(n):
    """Options of a run that trains n epochs with its own full schedule."""
    return {'train_cfg.max_epochs': n, 'param_scheduler.1.end': n}


baseline_config = 'configs/thesis_detector/fcos_baseline_underwater.py'
methods = dict(
    _delete_=True,
    uniform_e32=dict(config=baseline_config, cfg_options=_epochs(32)),
    uniform_e64=dict(config=baseline_config, cfg_options=_epochs(64)),
    # added after the first two (2026-12-07): 32 epochs ended at 0.462,
    # 64 at 0.529, +0.067 >= 0.01
    uniform_e128=dict(config=baseline_config, cfg_options=_epochs(128)))
baseline = 'uniform_e128'
seeds = [0]
families = dict(uniform=['uniform_e32', 'uniform_e64', 'uniform_e128'])
budget_others = []
img_scale = (256, 192)
work_dir = 'work_dirs/study_underwater_budget_length'
out_dir = 'docs/underwater_budget/length'
cfg_options = {
    'train_cfg.val_interval': 4,
    'default_hooks.checkpoint.interval': 4,
    'param_scheduler': [
        dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0,
             end=1, convert_to_iter_based=True),
        dict(type='CosineAnnealingLR', eta_min_ratio=0.01, by_epoch=True,
             begin=1, end=64, convert_to_iter_based=True)
    ],
}
