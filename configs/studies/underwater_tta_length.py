# How long must the time-to-accuracy study train? One uniform baseline run
# (seed 0) per candidate length, each with its own complete schedule (the
# warm-up + cosine of underwater_tta.py):
#   python3 tools/analysis/study.py configs/studies/underwater_tta_length.py --jobs 2 --threads 1
# A length converges when its curve gains at most 0.01 strat/AP50 (the
# seed-to-seed std of the earlier studies' final values) over its last
# fifth. The run of the chosen length is the main study's baseline seed 0
# (the same merged config): copy its curve there as baseline_s0.json.
_base_ = './underwater_tta.py'

name = 'underwater, uniform baseline, cosine schedule of 16 or 24 epochs'
methods = dict(
    _delete_=True,
    uniform_e16=dict(config='configs/thesis_detector/fcos_baseline_underwater.py',
                     cfg_options={'train_cfg.max_epochs': 16,
                                  'param_scheduler.1.end': 16}),
    uniform_e24=dict(config='configs/thesis_detector/fcos_baseline_underwater.py',
                     cfg_options={'train_cfg.max_epochs': 24,
                                  'param_scheduler.1.end': 24}))
baseline = 'uniform_e24'
seeds = [0]
seeds_per_method = dict(_delete_=True)
families = dict(_delete_=True, uniform=['uniform_e16', 'uniform_e24'])
budget_others = []
work_dir = 'work_dirs/study_underwater_tta_length'
out_dir = 'docs/underwater_tta/length'
