"""Does a sampler or selection rule save training? A multi-seed study.

A study is a small mmengine config (see ``configs/studies/``)::

    methods = dict(baseline='configs/fcos_baseline_underwater.py',
                   uis='configs/fcos_uis_underwater.py',
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

and the plots::

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
import copy
import glob
import json
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional

import numpy as np

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import speedup  # noqa: E402  (tools/analysis/speedup.py)
import tta  # noqa: E402  (tools/analysis/tta.py)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TRAIN_SCRIPT = osp.join(REPO_ROOT, 'tools', 'train.py')
REQUIRED_KEYS = ('methods', 'baseline', 'seeds', 'work_dir', 'out_dir')
TRAIN_KEYS = ('loss', 'time', 'data_time')  # what a curve keeps of a train record


def load_study(path: str, cfg_options: Optional[dict] = None):
    """Read and check a study config.

    Raises:
        KeyError: a required key is missing, or ``baseline`` is not one of
            ``methods`` (the message names the file and the key).
        FileNotFoundError: a method's config file does not exist.
    """
    from mmengine.config import Config
    study = Config.fromfile(path)
    if cfg_options:
        study.merge_from_dict(cfg_options)
    for key in REQUIRED_KEYS:
        if key not in study:
            raise KeyError(f'study config {path} has no {key!r}')
    if study.baseline not in study.methods:
        raise KeyError(f'study config {path}: baseline {study.baseline!r} is '
                       f'not one of methods {sorted(study.methods)}')
    for name in study.methods:
        cfg, _ = method_spec(study, name)
        if not osp.isfile(cfg):
            raise FileNotFoundError(
                f'study config {path}: methods.{name} = {cfg} does not exist')
    study.setdefault('cfg_options', {})
    study.setdefault('metric', 'strat/AP50')
    study.setdefault('prefix', 'strat')
    return study


def method_spec(study, method: str):
    """``(config path, cfg_options)`` of a method: its entry in
    ``methods`` is a config path, or ``dict(config=PATH, cfg_options={...})``
    whose options apply to that method's runs after the study's.

    Raises:
        KeyError: a dict entry without ``config`` (names the method).
    """
    spec = study.methods[method]
    if isinstance(spec, str):
        return spec, {}
    if 'config' not in spec:
        raise KeyError(f'study methods.{method} needs config=PATH')
    return spec['config'], dict(spec.get('cfg_options', {}))


def run_name(method: str, seed: int) -> str:
    return f'{method}_s{seed}'


def curve_path(study, method: str, seed: int) -> str:
    return osp.join(study.out_dir, 'curves', run_name(method, seed) + '.json')


def method_order(study) -> List[str]:
    """The study's methods, the baseline first, the rest in config order."""
    return [study.baseline] + [m for m in study.methods
                               if m != study.baseline]


def method_seeds(study, method: str) -> List[int]:
    """The seeds a method runs: ``seeds_per_method[method]`` when the study
    gives it, else ``seeds``."""
    return list(study.get('seeds_per_method', {}).get(method, study.seeds))


def all_runs(study) -> List[tuple]:
    """Every ``(method, seed)`` of the study, seed by seed, baseline first."""
    order = method_order(study)
    seeds = sorted({s for m in order for s in method_seeds(study, m)})
    return [(m, s) for s in seeds for m in order
            if s in method_seeds(study, m)]


def pending_runs(study) -> List[tuple]:
    """``(method, seed)`` pairs without a curve file, in :func:`all_runs`
    order."""
    return [(m, s) for m, s in all_runs(study)
            if not osp.isfile(curve_path(study, m, s))]


def run_config(study, method: str, seed: int):
    """The merged mmengine config of one run: the method's config, the
    study's ``cfg_options``, the method's own ``cfg_options``, the seed and
    the run's work dir; the study's ``img_scale`` on every ``Resize``. An
    ImportanceSampler's (or SelectionSampler's)
    ``batch_size`` follows the dataloader's; the run records images
    processed and training time at every validation
    (``ImagesProcessedHook``, added when the config has none)."""
    from mmengine.config import Config
    path, options = method_spec(study, method)
    cfg = Config.fromfile(path)
    # mmengine pops _delete_ keys while merging: give every run a copy
    cfg.merge_from_dict(copy.deepcopy(study.cfg_options.to_dict()
                                      if hasattr(study.cfg_options, 'to_dict')
                                      else dict(study.cfg_options)))
    cfg.merge_from_dict(copy.deepcopy(options))
    cfg.merge_from_dict({'randomness.seed': seed})
    if study.get('img_scale'):
        set_resize_scale(cfg, tuple(study.img_scale))
    sampler = cfg.train_dataloader.get('sampler', {})
    if sampler.get('type') in ('ImportanceSampler', 'SelectionSampler'):
        sampler.batch_size = cfg.train_dataloader.batch_size
    hooks = list(cfg.get('default_hooks', {}).values()) + list(
        cfg.get('custom_hooks', []))
    if not any(isinstance(h, dict) and h.get('type') == 'ImagesProcessedHook'
               for h in hooks):
        cfg.merge_from_dict({'default_hooks.images_processed':
                             dict(type='ImagesProcessedHook')})
        imports = cfg.get('custom_imports', {}).get('imports', [])
        if 'mmdet_is' not in imports:
            cfg.custom_imports = dict(imports=list(imports) + ['mmdet_is'],
                                      allow_failed_imports=False)
    cfg.work_dir = osp.join(study.work_dir, run_name(method, seed))
    return cfg


def set_resize_scale(cfg, scale: tuple) -> int:
    """Set ``scale`` (w, h) on every ``Resize`` of the train, val and test
    pipelines (also inside ``ConcatDataset`` and other wrappers), whatever
    its place in the pipeline. Returns how many were set.

    Raises:
        KeyError: no pipeline has a ``Resize``.
    """
    found = 0

    def visit(dataset):
        nonlocal found
        if not isinstance(dataset, dict):
            return
        for t in dataset.get('pipeline', []):
            if isinstance(t, dict) and t.get('type') == 'Resize':
                t['scale'] = scale
                found += 1
        for inner in [dataset.get('dataset')] + list(
                dataset.get('datasets', [])):
            visit(inner)

    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader:
            visit(loader.get('dataset'))
    if not found:
        raise KeyError('img_scale: no Resize in the train, val or test '
                       'pipelines of the config')
    return found


def say(message: str) -> None:
    """``print`` for the training threads: one write per line, so that
    lines of runs side by side never run into each other."""
    sys.stdout.write(message + '\n')
    sys.stdout.flush()


class StudyStopped(RuntimeError):
    """The study was stopped by a signal before this run started."""


class Children:
    """The training processes of a study. One SIGINT (Ctrl-C) or SIGTERM
    ends every running one (SIGTERM to its process group: its loader
    workers too) and starts no new one; a second signal kills them
    (SIGKILL). Each child runs in a session of its own, so a terminal's
    Ctrl-C reaches it only through the study."""

    def __init__(self) -> None:
        self._procs = set()
        self._lock = threading.Lock()
        self.stopped_by: Optional[str] = None

    def run(self, cmd: List[str], log_file: str, env: dict) -> int:
        """Run ``cmd`` to its end, output appended to ``log_file``.

        Raises:
            StudyStopped: the study was stopped before it started.
        """
        with self._lock:
            if self.stopped_by:
                raise StudyStopped(f'not started: stopped by {self.stopped_by}')
            with open(log_file, 'a') as out:
                proc = subprocess.Popen(cmd, stdout=out,
                                        stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True)
            self._procs.add(proc)
        try:
            return proc.wait()
        finally:
            with self._lock:
                self._procs.discard(proc)

    def stop(self, signum, frame=None) -> None:
        """Signal handler: stop every child (see the class docstring)."""
        again = self.stopped_by is not None
        self.stopped_by = signal.Signals(signum).name
        for proc in list(self._procs):
            try:
                os.killpg(proc.pid,
                          signal.SIGKILL if again else signal.SIGTERM)
            except ProcessLookupError:
                pass


class Progress:
    """Which run of how many is training, and the time left estimated from
    the runs finished so far (mean time of a whole run, all its segments,
    x runs left / jobs)."""

    def __init__(self, total: int, done: int, jobs: int, log=None) -> None:
        self.total, self.started, self.jobs = total, done, max(1, jobs)
        self.durations: List[float] = []
        self.log = log or say
        self._lock = threading.Lock()

    def start(self, name: str, log_file: str) -> None:
        with self._lock:
            self.started += 1
            left = self.total - self.started + 1  # this one included
            eta = ('time left unknown until a run finishes'
                   if not self.durations else
                   f'about {np.mean(self.durations) * left / self.jobs / 60:.0f}'
                   ' min left')
            self.log(f'[study] run {self.started} of {self.total}: {name} '
                     f'training, log {log_file}; {eta}')

    def finish(self, seconds: float) -> None:
        with self._lock:
            self.durations.append(seconds)


def _read_wall(work_dir: str) -> dict:
    path = osp.join(work_dir, 'study_wall.json')
    if not osp.isfile(path):
        return dict(segments_s=[])
    with open(path) as f:
        return json.load(f)


def _write_wall(work_dir: str, wall: dict) -> None:
    with open(osp.join(work_dir, 'study_wall.json'), 'w') as f:
        json.dump(wall, f)


def wall_segments(work_dir: str) -> List[float]:
    """Seconds of every training segment of a run so far (an interrupted
    and resumed run has several), from ``<work_dir>/study_wall.json``."""
    return _read_wall(work_dir)['segments_s']


def open_wall_segment(work_dir: str, start: float) -> None:
    """Mark a training segment as started at ``start`` (epoch seconds).

    A segment still open from before is one whose study was killed
    without a chance to close it (SIGKILL, a machine that went away): it
    is closed at the last write to the run's ``train.log``, the last
    moment that training is known to have run.
    """
    wall = _read_wall(work_dir)
    since = wall.pop('open_since', None)
    log_file = osp.join(work_dir, 'train.log')
    if since is not None and osp.isfile(log_file):
        wall['segments_s'].append(
            round(max(0.0, osp.getmtime(log_file) - since), 1))
    wall['open_since'] = start
    _write_wall(work_dir, wall)


def add_wall_segment(work_dir: str, seconds: float) -> None:
    """Close the open training segment with its length ``seconds``."""
    wall = _read_wall(work_dir)
    wall.pop('open_since', None)
    wall['segments_s'].append(round(seconds, 1))
    _write_wall(work_dir, wall)


def train_run(study, method: str, seed: int, threads: Optional[int] = None,
              log=say, children: Optional[Children] = None,
              progress: Optional[Progress] = None) -> str:
    """Train one (method, seed) run and write its curve file.

    Resumes from the last checkpoint of an interrupted run in the same work
    dir; the curve's ``wall_s`` adds up the run's segments. The training's
    own output goes to ``<work_dir>/train.log``. ``tools/train.py`` runs in
    the current directory, so every relative path (in the study config and
    in the configs it names) means what it means for ``tools/train.py``.

    Returns:
        str: the curve file.

    Raises:
        RuntimeError: the run's config cannot be built, or the training
            exited with an error (the message names the run, its log file
            and gives its last lines).
        StudyStopped: the study was stopped before this run started.
    """
    name = run_name(method, seed)
    children = children or Children()
    if children.stopped_by:
        raise StudyStopped(f'{name} not started: stopped by '
                           f'{children.stopped_by}')
    try:
        cfg = run_config(study, method, seed)
    except Exception as err:
        raise RuntimeError(f'{name}: its config could not be built from '
                           f'{method_spec(study, method)[0]} and the study\'s '
                           f'options: {type(err).__name__}: {err}') from err
    os.makedirs(cfg.work_dir, exist_ok=True)
    cfg_file = osp.join(cfg.work_dir, 'study_config.py')
    cfg.dump(cfg_file)
    cmd = [sys.executable, TRAIN_SCRIPT, cfg_file, '--work-dir', cfg.work_dir]
    if osp.isfile(osp.join(cfg.work_dir, 'last_checkpoint')):
        cmd.append('--resume')
    env = dict(os.environ)
    if threads:
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    log_file = osp.join(cfg.work_dir, 'train.log')
    if progress is not None:
        progress.start(name, log_file)
    else:
        log(f'[study] {name}: training, log {log_file}')
    t0 = time.time()
    open_wall_segment(cfg.work_dir, t0)
    rc = children.run(cmd, log_file, env)
    segment = time.time() - t0
    add_wall_segment(cfg.work_dir, segment)
    if rc != 0:
        with open(log_file) as f:
            tail = ''.join(f.readlines()[-20:])
        how = (f'stopped by {children.stopped_by}' if children.stopped_by
               else f'failed (exit {rc})')
        raise RuntimeError(f'{name} {how}, log {log_file}:\n{tail}')
    wall = sum(wall_segments(cfg.work_dir))
    out_file = curve_path(study, method, seed)
    write_curve(cfg.work_dir, out_file, dict(
        method=method, seed=seed, config=method_spec(study, method)[0],
        batch=int(cfg.train_dataloader.batch_size), wall_s=round(wall, 1)))
    if progress is not None:
        progress.finish(wall)  # the whole run, resumed or not
    log(f'[study] {name}: done in {wall / 60:.1f} min, curve {out_file}')
    return out_file


def write_curve(work_dir: str, out_file: str, meta: dict) -> None:
    """Keep the validation records and the training clock of a run.

    Reads every ``*/vis_data/scalars.json`` of ``work_dir`` in time order (a
    resumed run has several) and keeps, per iteration, the last value: all
    validation keys, and ``loss``/``time``/``data_time`` of the training
    records. Written atomically (a half-written curve is never "finished").
    """
    records: Dict[int, dict] = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                          'scalars.json'))):
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                rec = json.loads(line)
                step = int(rec['step'])
                if 'loss' in rec:
                    rec = {k: rec[k] for k in TRAIN_KEYS if k in rec}
                    rec['train'] = True
                records.setdefault(step, {}).update(rec)
    if not records:
        raise FileNotFoundError(f'no */vis_data/scalars.json under {work_dir}')
    scalars = []
    for step in sorted(records):
        rec = dict(records[step])
        if rec.pop('train', False) and any(
                k not in TRAIN_KEYS for k in rec):
            # a train and a validation record at the same step: two records
            train = {k: rec.pop(k) for k in TRAIN_KEYS if k in rec}
            scalars.append(dict(train, step=step))
        scalars.append(dict(rec, step=step))
    os.makedirs(osp.dirname(out_file) or '.', exist_ok=True)
    tmp = out_file + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(dict(meta, scalars=scalars), f, separators=(',', ':'))
    os.replace(tmp, out_file)


def read_curve(path: str) -> dict:
    """A curve file as a run of :func:`speedup.read_run` (``val``,
    ``time``, ``batch``, ``path``), plus ``method``, ``seed``, ``wall_s``.

    Raises:
        ValueError: the file is not a curve file (the message names it).
    """
    with open(path) as f:
        data = json.load(f)
    if 'scalars' not in data:
        raise ValueError(f'{path} is not a study curve file (no "scalars")')
    run = speedup.parse_records(data['scalars'])
    run.update(batch=data.get('batch'), path=path, method=data.get('method'),
               seed=data.get('seed'), wall_s=data.get('wall_s'))
    return run


def collect(study) -> Dict[str, List[dict]]:
    """The finished runs of the study's methods and seeds, by method (in the
    config's order, baseline first)."""
    methods = OrderedDict()
    for m in method_order(study):
        for s in method_seeds(study, m):
            path = curve_path(study, m, s)
            if osp.isfile(path):
                methods.setdefault(m, []).append(read_curve(path))
    return methods


def speedup_value(runs_base: List[dict], runs_method: List[dict],
                  metric: str) -> float:
    """Eq. 5.1 on the mean curves of two groups of runs; -1 (-100 %) when
    the method's mean never exceeds the baseline's peak."""
    res = speedup.speedups(dict(b=runs_base, m=runs_method), 'b', metric)['m']
    if res.get('speedup') is None:
        return -1.0
    return float(res['speedup'])


def bootstrap_interval(runs_base: List[dict], runs_method: List[dict],
                       metric: str, confidence: float = 0.9,
                       n_resamples: int = 2000, seed: int = 0):
    """Percentile bootstrap interval of the eq. 5.1 speed-up over seeds.

    Resamples the baseline's runs and the method's runs with replacement,
    independently, and recomputes the speed-up on the resampled mean curves
    (scipy.stats.bootstrap, ``paired=False``).

    Returns:
        (low, high, share_crossing): the interval and the share of resamples
        in which the method crosses the baseline's peak at all; ``None``s
        with fewer than 2 runs on either side.
    """
    from scipy.stats import bootstrap
    if len(runs_base) < 2 or len(runs_method) < 2:
        return None, None, None
    values, cache = [], {}

    def stat(ib, im):
        key = (tuple(sorted(ib.tolist())), tuple(sorted(im.tolist())))
        if key not in cache:  # the mean curves depend on the multisets only
            cache[key] = speedup_value([runs_base[int(i)] for i in key[0]],
                                       [runs_method[int(i)] for i in key[1]],
                                       metric)
        values.append(cache[key])
        return cache[key]

    res = bootstrap((np.arange(len(runs_base)), np.arange(len(runs_method))),
                    stat, paired=False, vectorized=False,
                    n_resamples=n_resamples, confidence_level=confidence,
                    method='percentile', random_state=seed)
    crossing = float(np.mean(np.asarray(values) > -1.0))
    return (float(res.confidence_interval.low),
            float(res.confidence_interval.high), crossing)


def run_peaks(runs: List[dict], metric: str) -> np.ndarray:
    """Each run's best value of ``metric``."""
    return np.array([max(r['val'][metric].values()) for r in runs
                     if r['val'].get(metric)])


def study_table(methods: Dict[str, List[dict]], baseline: str, metric: str,
                bootstrap: bool = True) -> List[dict]:
    """One row per method: peak (mean, std over seeds of each run's best),
    final value (mean, std), eq. 5.1 on the mean curves, the per-seed
    speed-ups (each seed's curve against the baseline run of the same seed,
    or the baseline's mean curve when there is none, in seed order; None
    where that seed never exceeds the peak: a mean of them would mix in a
    bound) and the bootstrap interval."""
    table = speedup.speedups(methods, baseline, metric)
    base_by_seed = {r['seed']: r for r in methods[baseline]}
    rows = []
    for name, runs in methods.items():
        peaks = run_peaks(runs, metric)
        finals = np.array([r['val'][metric][max(r['val'][metric])]
                           for r in runs if r['val'].get(metric)])
        res = table[name]
        row = dict(method=name, runs=len(runs), peak_mean=_mean(peaks),
                   peak_std=_std(peaks), final_mean=_mean(finals),
                   final_std=_std(finals), it_base=res.get('it_base'),
                   it_method=res.get('it_method'), speedup=res.get('speedup'),
                   speedup_time=res.get('speedup_time'), note=res.get('note'),
                   per_seed=None, ci_low=None, ci_high=None,
                   share_crossing=None)
        if name != baseline and 'peak' in res:
            per_seed = [speedup_value(
                [base_by_seed[r['seed']]] if r['seed'] in base_by_seed
                else methods[baseline], [r], metric) for r in runs]
            row['per_seed'] = [None if v == -1.0 else v for v in per_seed]
            if bootstrap:
                lo, hi, share = bootstrap_interval(methods[baseline], runs,
                                                   metric)
                row.update(ci_low=lo, ci_high=hi, share_crossing=share)
        rows.append(row)
    return rows


def _mean(a):
    return float(a.mean()) if len(a) else None


def _std(a):
    return float(a.std()) if len(a) else None


def format_table(rows: List[dict], metric: str) -> str:
    """The study table as Markdown."""

    def pct(v):
        return '-' if v is None else f'{100 * v:+.0f} %'

    def num(m, s):
        return '-' if m is None else f'{m:.3f} ± {s:.3f}'

    lines = [
        f'`{metric}`', '',
        '| method | runs | peak (mean ± std of each run\'s best) | final | '
        'first above the baseline\'s peak (it) | speed-up eq. 5.1 | '
        'wall clock | each seed | 90 % bootstrap | '
        'resamples crossing |', '|---' * 10 + '|'
    ]
    for r in rows:
        if r['note'] == 'baseline':
            crossing = f'peak of the mean curve at {r["it_base"]}'
        elif r['it_method'] is None:
            crossing = 'never'
        else:
            crossing = str(r['it_method'])
        seed = '-' if r['per_seed'] is None else ', '.join(
            'never' if v is None else f'{100 * v:+.0f} %'
            for v in r['per_seed'])
        ci = '-' if r['ci_low'] is None else (
            f'[{100 * r["ci_low"]:+.0f} %, {100 * r["ci_high"]:+.0f} %]')
        share = '-' if r['share_crossing'] is None else \
            f'{100 * r["share_crossing"]:.0f} %'
        lines.append(
            f'| {r["method"]} | {r["runs"]} | '
            f'{num(r["peak_mean"], r["peak_std"])} | '
            f'{num(r["final_mean"], r["final_std"])} | {crossing} | '
            f'{pct(r["speedup"])} | {pct(r["speedup_time"])} | {seed} | '
            f'{ci} | {share} |')
    return '\n'.join(lines)


def analyse(study, bootstrap: bool = True, log=print) -> str:
    """Tables and plots from the curve files; returns the report text."""
    methods = collect(study)
    if study.baseline not in methods:
        raise FileNotFoundError(
            f'no finished run of the baseline {study.baseline!r} under '
            f'{osp.join(study.out_dir, "curves")}')
    metric, p = study.metric, study.prefix
    sizes = [f'{p}/AP50_{s}' for s in speedup.SIZES]
    names = speedup.class_names(methods, p)
    classes = [f'{p}/AP50_{n}' for n in names]
    wall = {m: [r['wall_s'] for r in runs if r.get('wall_s')]
            for m, runs in methods.items()}
    parts = [f'# Study {study.get("name", "")}'.rstrip(), '',
             'Runs (seeds) per method: ' + ', '.join(
                 f'{m} {sorted(r["seed"] for r in runs)}'
                 for m, runs in methods.items()),
             'Wall time per run (min, mean): ' + ', '.join(
                 f'{m} {np.mean(w) / 60:.1f}' for m, w in wall.items() if w),
             '']
    parts += ['## Time to accuracy: images processed to the baseline\'s '
              'final value', '']
    for key in [metric] + sizes + classes:
        rows = tta.tta_table(methods, study.baseline, key, bootstrap)
        parts += [tta.format_tta(rows, key, study.baseline), '']
    for ref in study.get('tta_references', []):
        if ref in methods:
            parts += [f'## Time to accuracy against {ref}: images processed '
                      f'to its final value', '',
                      tta.format_tta(tta.tta_table(methods, ref, metric,
                                                   bootstrap), metric, ref),
                      '']
    parts += ['## Speed-up in iterations, eq. 5.1 (the thesis\' measure)',
              '']
    for key in [metric] + sizes + classes:
        rows = study_table(methods, study.baseline, key, bootstrap)
        parts += [format_table(rows, key), '']
    text = '\n'.join(parts)
    os.makedirs(study.out_dir, exist_ok=True)
    with open(osp.join(study.out_dir, 'study.md'), 'w') as f:
        f.write(text)
    out = study.out_dir
    tta.plot_tta(methods, study.baseline, [metric] + sizes,
                 osp.join(out, 'tta_by_size.png'),
                 f'{metric} by object size against images processed: mean '
                 'of seeds, band = 1 std, dashed = target')
    speedup.plot_panels(methods, study.baseline, [[metric] + sizes],
                        [['all'] + list(speedup.SIZES)],
                        osp.join(out, 'speedup_by_size.png'),
                        f'{metric} by object size: mean of seeds, band = 1 std')
    if names:
        speedup.plot_panels(methods, study.baseline, [classes],
                            [list(names)],
                            osp.join(out, 'speedup_by_class.png'),
                            'AP@0.5 by class')
        speedup.plot_panels(
            methods, study.baseline,
            [[f'{p}/AP50_{n}_{s}' for s in speedup.SIZES] for n in names],
            [[f'{n} {s}, '
              f'{speedup.num_gt(methods, f"{p}/num_gt_{n}_{s}")} objects'
              for s in speedup.SIZES] for n in names],
            osp.join(out, 'speedup_by_class_size.png'), 'AP@0.5 by class x size')
    log(text)
    log(f'[study] table and plots written to {out}/')
    return text


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


def train_pending(study, jobs: int = 1, threads: Optional[int] = None) -> int:
    """Train the study's runs without a curve, ``jobs`` at a time; one
    SIGINT or SIGTERM stops them all (:class:`Children`).

    Returns:
        int: 0 when every run finished; 1 when some failed (each named with
        its log); 130 / 143 when stopped by SIGINT / SIGTERM.
    """
    todo = pending_runs(study)
    total = len(all_runs(study))
    say(f'[study] {total - len(todo)} of {total} runs finished, '
        f'{len(todo)} to train')
    children = Children()
    progress = Progress(total, total - len(todo), jobs)
    handlers = {sig: signal.signal(sig, children.stop)
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            futures = [pool.submit(train_run, study, m, s, threads,
                                   children=children, progress=progress)
                       for m, s in todo]
            errors = [f.exception() for f in futures if f.exception()]
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    failed = [e for e in errors if not isinstance(e, StudyStopped)]
    if children.stopped_by:
        say(f'[study] stopped by {children.stopped_by}: '
            f'{len(todo) - len(errors)} of {len(todo)} runs finished, '
            f'{len(failed)} interrupted (they resume from their last '
            'checkpoint when the study runs again)')
        return 130 if children.stopped_by == 'SIGINT' else 143
    if failed:
        say(f'[study] {len(failed)} of {len(todo)} runs failed:')
        for err in failed:
            say(f'[study] {err}')
        return 1
    return 0


if __name__ == '__main__':
    main()
