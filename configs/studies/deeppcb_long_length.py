# Where does uniform training on DeepPCB plateau on its own? One uniform
# baseline run (seed 0) per candidate length, each its own complete
# schedule (one warm-up epoch, cosine to 1 % at its last epoch), so that
# the long-schedule study (issue "Where selection should pay") starts where
# doubling the epochs adds less than 0.01 AP@0.5:
#   python3 tools/analysis/study.py configs/studies/deeppcb_long_length.py --jobs 2 --threads 1
# The scale of deeppcb_tta.py (measured there: a 16-epoch run is 7-15 min
# on this CPU, two at a time): ResNet34 at 1/8 width, 320 x 320, batch 16;
# validation on the 500 test images every 4 epochs (the final value is
# what the length is chosen by). 32 and 64 epochs first; 128 if 64 still
# gains 0.01 or more over 32.
_base_ = './deeppcb_tta.py'

name = ('DeepPCB, uniform baseline, complete cosine schedules of 32 and 64 '
        'epochs')


def _epochs(n):
    """Options of a run that trains n epochs with its own full schedule."""
    return {'train_cfg.max_epochs': n, 'param_scheduler.1.end': n}


methods = dict(
    _delete_=True,
    uniform_e32=dict(config='configs/thesis_detector/fcos_baseline_deeppcb.py',
                     cfg_options=_epochs(32)),
    uniform_e64=dict(config='configs/thesis_detector/fcos_baseline_deeppcb.py',
                     cfg_options=_epochs(64)))
baseline = 'uniform_e64'
families = dict(_delete_=True, uniform=['uniform_e32', 'uniform_e64'])
budget_others = []
seeds = [0]
work_dir = 'work_dirs/study_deeppcb_long_length'
out_dir = 'docs/deeppcb_long/length'
cfg_options = {
    'train_cfg.val_interval': 4,
    'default_hooks.checkpoint.interval': 4,
}
