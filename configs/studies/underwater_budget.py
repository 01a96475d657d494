# Does choosing images beat a plain shorter schedule at every budget a user
# can set, on redundant data? The underwater frames, from under-trained to
# uniform's plateau, pre-registered (every arm and seed count named here
# and committed before the first run):
#   python3 tools/analysis/study.py configs/studies/underwater_budget.py --jobs 2 --threads 1
# The setting (scale, schedule, validation) is the length study's,
# underwater_budget_length_160x120.py: at 160 x 120 uniform (seed 0) ended
# at 0.359 after 32 epochs, 0.410 after 64 and 0.391 after 128, so doubling
# 64 adds less than 0.01 (it loses 0.020) and L = 64. The image is reduced
# from 256 x 192, where 64 epochs still gained +0.067 over 32 and the
# 128-epoch run had validated at 0.52-0.544 by epoch 100 (a plateau of 128
# epochs or more: a study of about 29 h on this CPU; issue 36: over about 14
# h, reduce the image size or the validation set, not the seeds; validation
# is 5 % of a run).
#
# Every arm is a complete schedule (one warm-up epoch, cosine to 1 % at its
# own last epoch). The arms:
# - uniform at L/4, L/2, 3L/4 and L epochs: the budget curve;
# - random: a uniformly drawn keep_ratio of the images each epoch over L
#   epochs, at 0.5 and 0.75 (the control every rule must beat);
# - tiers, the best variant of the DeepPCB study (tiers_closeness: ranked
#   by threshold closeness, at most 30 % of an epoch's budget to the hard
#   tier), at keep 0.5 and 0.75 over L epochs;
# - closeness importance sampling (every image drawn with probability
#   growing with its closeness) at L/2 and L epochs;
# - InfoBatch at keep 0.5 over L epochs (its last 12.5 % of epochs uniform:
#   0.56 of uniform L's images).
# Seeds: 5 for every point at half of uniform L's images, 82k (the
# headline: does the best recipe there reach an accuracy for which
# uniform's curve needs 1.5x as many images), and for each uniform point
# (the curve it is read from); 3 for the points at 0.75.
# The length study's uniform runs at 32 and 64 epochs (seed 0) have the
# same merged config as uniform_e32 and uniform_e64 seed 0 here (work_dir
# aside): their curves are copied as curves/uniform_e32_s0.json and
# curves/uniform_e64_s0.json, each with a note. No run of the 16-epoch
# underwater studies has this config (320 x 240, other schedules).
_base_ = './underwater_budget_length_160x120.py'

name = ('underwater budget curves: ResNet34/8, 160x120, batch 16, complete '
        'cosine schedules, uniform plateau at 64 epochs')
epochs = 64
baseline_config = 'configs/thesis_detector/fcos_baseline_underwater.py'
tiers_config = 'configs/thesis_detector/fcos_tiers_underwater.py'
closeness_config = 'configs/thesis_detector/fcos_closeness_underwater.py'


def _arm(config, n, options=None):
    """An arm that trains n epochs with its own full schedule and
    ``options``."""
    return dict(config=config,
                cfg_options=dict({'train_cfg.max_epochs': n,
                                  'param_scheduler.1.end': n},
                                 **(options or {})))


def _tiers(keep_ratio):
    """The DeepPCB study's tiers_closeness at ``keep_ratio``."""
    return _arm(tiers_config, epochs, {
        'train_dataloader.sampler.policy.keep_ratio': keep_ratio,
        'train_dataloader.sampler.policy.hard_cap': 0.3,
        'train_dataloader.sampler.score.heuristic': 'closeness'})


def _random(keep_ratio):
    return _arm('configs/thesis_detector/fcos_random_underwater.py', epochs,
                {'train_dataloader.sampler.policy.keep_ratio': keep_ratio})


methods = dict(
    _delete_=True,
    uniform_e16=_arm(baseline_config, epochs // 4),
    uniform_e32=_arm(baseline_config, epochs // 2),
    uniform_e48=_arm(baseline_config, 3 * epochs // 4),
    uniform_e64=_arm(baseline_config, epochs),
    random_0p5=_random(0.5),
    tiers_0p5=_tiers(0.5),
    closeness_e32=_arm(closeness_config, epochs // 2),
    infobatch_0p5=_arm(
        'configs/thesis_detector/fcos_infobatch_underwater.py', epochs,
        {'train_dataloader.sampler.policy.keep_ratio': 0.5}),
    random_0p75=_random(0.75),
    tiers_0p75=_tiers(0.75),
    closeness_e64=_arm(closeness_config, epochs))
baseline = 'uniform_e64'
seeds = [0, 1, 2, 3, 4]
seeds_per_method = dict(
    random_0p75=[0, 1, 2], tiers_0p75=[0, 1, 2], closeness_e64=[0, 1, 2])
families = dict(
    _delete_=True,
    uniform=['uniform_e16', 'uniform_e32', 'uniform_e48', 'uniform_e64'],
    # a random subset of all the images each epoch is the full schedule
    random=['random_0p5', 'random_0p75', 'uniform_e64'],
    tiers=['tiers_0p5', 'tiers_0p75'],
    closeness=['closeness_e32', 'closeness_e64'],
    infobatch=['infobatch_0p5'])
budget_others = ['random']
tta_references = ['uniform_e32']
work_dir = 'work_dirs/study_underwater_budget'
out_dir = 'docs/underwater_budget'
