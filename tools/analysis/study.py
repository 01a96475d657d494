"""Does a sampler or selection rule save training? A multi-seed study.

A study is a small mmengine config (see ``configs/studies/``)::

    methods = dict(
        baseline='configs/thesis_detector/fcos_baseline_underwater.py',
        uis='configs/thesis_detector/fcos_uis_underwater.py',
        uniform_0p5=dict(config='configs/...py',
                         cfg_options={...}),  # this method only
        ...)
    baseline = 'baseline'         # the method the others are measured against
    seeds = [0, 1, 2]
    seeds_per_method = dict(uis=[0, 1])  # optional: other seeds for some
    tta_references = ['uis']      # optional: more time-to-accuracy targets
    img_scale = (320, 240)        # optional: every Resize of every run
    cfg_options = {...}           # applied to EVERY run (e.g. a reduced scale)
    work_dir = 'work_dirs/study_x'  # checkpoints and logs (large, not kept)
    out_dir = 'docs/study_x'        # curves/, table and plots (small, kept)
    metric = 'strat/AP50'

For every (method, seed) it trains ``tools/train.py`` on the method's config
with ``cfg_options``, the method's own options and ``randomness.seed=seed``
merged in (the merged config is dumped next to the run's logs), then keeps
the run's validation curve (with the images processed and the training
wall-clock at every validation, from ``ImagesProcessedHook``) in
``<out_dir>/curves/<method>_s<seed>.json``. A run whose curve file exists
is finished and skipped, so a study grows by adding seeds or methods to its
config; a run interrupted midway resumes from its last checkpoint in
``work_dir``. Then, from the curve files alone, it writes for the metric,
each size stratum and each class:

* time to accuracy (``tta.py``): images processed until the mean curve
  reaches the baseline's final value, the saving against the baseline,
  each seed paired with the baseline run of its seed, a bootstrap interval;
* the thesis' eq. 5.1 (``speedup.py``): iterations to the baseline's peak;

and the plots. The tool is the package ``tools/analysis/study_tool/``, one
concept a file (config, runs and signals, curves, statistics, report)::

    python3 tools/analysis/study.py configs/studies/underwater_r34eighth.py
    python3 tools/analysis/study.py configs/studies/underwater_r34eighth.py \\
        --analyse-only             # rebuild the table from the kept curves
    python3 tools/analysis/study.py configs/studies/underwater_r34eighth.py \\
        --from-scratch             # forget the curves and retrain everything

Relative paths, in the study config and in the configs it names, are
relative to the current directory, as for ``tools/train.py`` (which the
tool runs there): run the shipped studies from the repository root. One
Ctrl-C (or SIGTERM) stops every training run and starts no new one; the
interrupted runs resume from their last checkpoint when the study runs
again, and a run's wall time adds up its segments. The tool prints which
run of how many starts and the time left, and names every run that failed
with its log.

For eq. 5.1 a method that never exceeds the baseline's peak within the
budget gets the speed-up -100 %: the limit of ``it_base / it_method - 1`` as
``it_method`` grows without bound. Its bootstrap resamples the seeds of the
baseline and of the method independently (scipy.stats.bootstrap,
percentile interval), so its interval says how much the answer depends on
which seeds ran.
"""
import argparse
import os.path as osp
import shutil
import sys

# the study tool is the package beside this script (Python puts the
# script's folder first on sys.path)
from study_tool import analyse, load_study, train_pending


def main(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('study', help='study config (configs/studies/*.py)')
    parser.add_argument('--analyse-only', action='store_true',
                        help='no training: table and plots from the curves')
    parser.add_argument('--from-scratch', action='store_true',
                        help='delete the curves and work dirs of the study '
                        'first and train every run again')
    parser.add_argument('--jobs', type=int, default=1,
                        help='runs trained at the same time')
    parser.add_argument('--threads', type=int, default=None,
                        help='CPU threads per run (OMP_NUM_THREADS)')
    parser.add_argument('--no-bootstrap', action='store_true')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override keys of the STUDY config, e.g. '
                        'seeds="[0,1,2,3,4]" work_dir=D')
    args = parser.parse_args(argv)
    study = load_study(args.study, args.cfg_options)
    if args.from_scratch and not args.analyse_only:
        shutil.rmtree(osp.join(study.out_dir, 'curves'), ignore_errors=True)
        shutil.rmtree(study.work_dir, ignore_errors=True)
    if not args.analyse_only:
        rc = train_pending(study, args.jobs, args.threads)
        if rc:
            sys.exit(rc)
    analyse(study, bootstrap=not args.no_bootstrap)


if __name__ == '__main__':
    main()
