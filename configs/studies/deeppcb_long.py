# Where selection should pay: the long-schedule regime, on DeepPCB. How many
# epochs to set, against a plain shorter schedule and a random subset:
#   python3 tools/analysis/study.py configs/studies/deeppcb_long.py --jobs 2 --threads 1
# The length comes from deeppcb_long_length.py: uniform plateaus on its own
# at 32 epochs (seed 0: 32 epochs end at 0.6415, 64 at 0.6495, +0.0080). The
# scale of deeppcb_tta.py (ResNet34/8, 320 x 320, batch 16; a 32-epoch run
# is 42 min on this CPU beside another); validation every 4 epochs.
#
# Its baseline seed 0 is the length study's 32-epoch run (the same merged
# config; its curve copied as curves/baseline_s0.json).
# Every arm and its seeds are named here before the first run (an arm added
# later is reported as added later). Each arm is a complete schedule (one
# warm-up epoch, cosine to 1 % at its last epoch), and families group one
# method's lengths for the budget curves:
# - uniform at 1.0x, 0.7x, 0.5x the epochs (32, 22, 16): the budget curve;
# - random: a random 60 % of the images each epoch (the control);
# - tiers with what the 16-epoch studies found missing: at most 30 % of an
#   epoch's budget to the hard tier, images scored 1.0 at their last two
#   trainings retired to the easy tier; and two measured variants: ranked
#   by threshold closeness instead of min(P, R), and selection only from
#   epoch 8 (the 32-epoch uniform curve is at 0.54 of its 0.64 by then);
# - infobatch at the same budget, its last 12.5 % of epochs uniform;
# - closeness importance sampling at 1.0x and 0.7x the epochs;
# - subset_importance: closeness draws within the capped tiers' subset.
_base_ = './deeppcb_tta.py'

name = ('DeepPCB long schedule: ResNet34/8, 320x320, batch 16, complete '
        'cosine schedules, uniform plateau at 32 epochs')
epochs = 32
baseline_config = 'configs/thesis_detector/fcos_baseline_deeppcb.py'
tiers_config = 'configs/thesis_detector/fcos_tiers_deeppcb.py'
closeness_config = 'configs/thesis_detector/fcos_closeness_deeppcb.py'
tiers_options = {
    'train_dataloader.sampler.policy.hard_cap': 0.3,
    'train_dataloader.sampler.policy.stuck_score': 1.0,
    'train_dataloader.sampler.policy.retire_after': 2
}


def _epochs(n, options=None):
    """Options of an arm that trains n epochs with its own full schedule,
    and ``options``."""
    return dict({'train_cfg.max_epochs': n, 'param_scheduler.1.end': n},
                **(options or {}))


methods = dict(
    _delete_=True,
    baseline=dict(config=baseline_config, cfg_options=_epochs(32)),
    uniform_0p7=dict(config=baseline_config, cfg_options=_epochs(22)),
    uniform_0p5=dict(config=baseline_config, cfg_options=_epochs(16)),
    random=dict(config='configs/thesis_detector/fcos_random_deeppcb.py',
                cfg_options=_epochs(32)),
    tiers=dict(config=tiers_config, cfg_options=_epochs(32, tiers_options)),
    # closeness peaks at 1 only on a perfectly uncertain image: no retirement
    tiers_closeness=dict(
        config=tiers_config,
        cfg_options=_epochs(
            32,
            dict(tiers_options, **{
                'train_dataloader.sampler.score.heuristic': 'closeness',
                'train_dataloader.sampler.policy.stuck_score': None
            }))),
    tiers_from_e8=dict(
        config=tiers_config,
        cfg_options=_epochs(
            32,
            dict(tiers_options, **{
                'train_dataloader.sampler.policy.select_from_epoch': 8
            }))),
    infobatch=dict(config='configs/thesis_detector/fcos_infobatch_deeppcb.py',
                   cfg_options=_epochs(32)),
    closeness=dict(config=closeness_config, cfg_options=_epochs(32)),
    closeness_0p7=dict(config=closeness_config, cfg_options=_epochs(22)),
    subset_importance=dict(
        config=tiers_config,
        cfg_options=_epochs(
            32, {
                'train_dataloader.sampler.policy':
                dict(_delete_=True, type='subset_importance', keep_ratio=0.6,
                     subset=dict(type='tiers', hard_cap=0.3)),
                'train_dataloader.sampler.score':
                dict(_delete_=True, heuristic='closeness')
            })))
baseline = 'baseline'
seeds = [0, 1, 2]
families = dict(
    _delete_=True,
    uniform=['uniform_0p5', 'uniform_0p7', 'baseline'],
    closeness=['closeness_0p7', 'closeness'],
    # a random subset of all the images is the full schedule: random's
    # budget curve ends at uniform's 32 epochs (an analysis-only change,
    # 2026-12-07, after the study: no run added)
    random=['random', 'baseline'],
    tiers=['tiers'],
    tiers_closeness=['tiers_closeness'],
    tiers_from_e8=['tiers_from_e8'],
    infobatch=['infobatch'],
    subset_importance=['subset_importance'])
budget_others = ['random']
tta_references = ['uniform_0p7', 'uniform_0p5']
work_dir = 'work_dirs/study_deeppcb_long'
out_dir = 'docs/deeppcb_long'
cfg_options = {
    'train_cfg.val_interval': 4,
    'default_hooks.checkpoint.interval': 4,
}
