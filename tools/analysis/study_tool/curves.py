"""A run's validation curve: read from mmengine's ``scalars.json`` or from
a study's curve file (``<out_dir>/curves/``, small, committed), and the
curves' shared readings (points, final value, images processed, the mean
curve over seeds)."""
import glob
import json
import os
import os.path as osp
from collections import OrderedDict, defaultdict
from typing import Dict, List, Optional

import numpy as np

from .config import curve_path, method_order, method_seeds

SIZES = ('small', 'medium', 'large')
#: what ImagesProcessedHook logs beside every validation
IMAGES_KEY = 'images_processed'
TIME_KEY = 'train_wall_s'


def find_scalars(work_dir: str) -> str:
    """The newest ``*/vis_data/scalars.json`` under ``work_dir``.

    Raises:
        FileNotFoundError: none found (the message names ``work_dir``).
    """
    if osp.isfile(work_dir):
        return work_dir
    found = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not found:
        raise FileNotFoundError(
            f'no */vis_data/scalars.json under {work_dir} (is it an mmengine '
            'work dir?)')
    return found[-1]


def parse_records(records) -> dict:
    """Validation values by iteration and the training clock of mmengine
    ``scalars.json`` records (dicts with ``step``).

    Returns:
        dict: ``val`` {metric: {iteration: value}}, ``time`` {iteration:
        cumulative seconds of training (sum of logged ``time`` x interval)}.
    """
    val: Dict[str, Dict[int, float]] = defaultdict(dict)
    clock: Dict[int, float] = {}
    last_iter, elapsed = 0, 0.0
    for rec in records:
        step = int(rec['step'])
        if 'loss' in rec and 'time' in rec:  # a training record
            elapsed += rec['time'] * (step - last_iter)
            last_iter = step
            clock[step] = elapsed
        else:
            for key, value in rec.items():
                if key not in ('step', 'time', 'data_time') and \
                        isinstance(value, (int, float)):
                    val[key][step] = float(value)
    return dict(val=dict(val), time=clock)


def read_run(work_dir: str) -> dict:
    """Validation values by iteration and the training clock of one run.

    Returns:
        dict: :func:`parse_records` of its ``scalars.json``, plus ``batch``
        (images per iteration when a dumped config says it, else None) and
        ``path``.
    """
    path = find_scalars(work_dir)
    with open(path) as f:
        run = parse_records(json.loads(line) for line in f if line.strip())
    run.update(batch=_batch_size(path), path=path)
    return run


def _batch_size(scalars_path: str) -> Optional[int]:
    run_dir = osp.dirname(osp.dirname(scalars_path))
    configs = glob.glob(osp.join(run_dir, '*.py')) + glob.glob(
        osp.join(osp.dirname(run_dir), '*.py'))
    for cfg_path in configs:
        try:
            from mmengine.config import Config
            cfg = Config.fromfile(cfg_path)
            return int(cfg.train_dataloader.batch_size)
        except Exception:  # not a config we can read: no image counts
            continue
    return None


def points(run: dict, metric: str):
    """``(steps, images, values, seconds)`` of one run's validations of
    ``metric``, in step order; ``seconds`` is NaN where not recorded."""
    vals = run['val'].get(metric, {})
    steps = np.array(sorted(s for s, v in vals.items() if not np.isnan(v)),
                     np.int64)
    recorded = run['val'].get(IMAGES_KEY, {})
    batch = run.get('batch') or 0
    images = np.array([recorded.get(s, s * batch) for s in steps], float)
    times = run['val'].get(TIME_KEY, {})
    seconds = np.array([times.get(s, np.nan) for s in steps], float)
    return steps, images, np.array([vals[s] for s in steps]), seconds


def final_value(run: dict, metric: str) -> Optional[float]:
    """The value at the run's last validation of ``metric``."""
    _, _, values, _ = points(run, metric)
    return float(values[-1]) if len(values) else None


def images_processed(run: dict) -> Optional[float]:
    """The images a run processed in all (its last validation's count)."""
    images = run['val'].get(IMAGES_KEY)
    return float(images[max(images)]) if images else None


def mean_curve(runs: List[dict], metric: str) -> dict:
    """Per validation step over ``runs`` (NaN values left out):
    ``steps``, ``mean``, ``std``, ``count`` (runs with a value there),
    ``images`` and ``seconds`` (means over the runs; seconds NaN where no
    run recorded them), each an array in step order."""
    by_step = defaultdict(list)
    for run in runs:
        for step, img, val, sec in zip(*points(run, metric)):
            by_step[int(step)].append((img, val, sec))
    steps = sorted(by_step)
    rows = [np.array(by_step[s], float) for s in steps]
    return dict(
        steps=np.array(steps, np.int64),
        mean=np.array([r[:, 1].mean() for r in rows]),
        std=np.array([r[:, 1].std() for r in rows]),
        count=np.array([len(r) for r in rows]),
        images=np.array([r[:, 0].mean() for r in rows]),
        seconds=np.array([np.nanmean(r[:, 2]) if not np.isnan(r[:, 2]).all()
                          else np.nan for r in rows]))


#: what a curve keeps of a training record
TRAIN_KEYS = ('loss', 'time', 'data_time')


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
    """A curve file as a run of :func:`read_run` (``val``,
    ``time``, ``batch``, ``path``), plus ``method``, ``seed``, ``wall_s``.

    Raises:
        ValueError: the file is not a curve file (the message names it).
    """
    with open(path) as f:
        data = json.load(f)
    if 'scalars' not in data:
        raise ValueError(f'{path} is not a study curve file (no "scalars")')
    run = parse_records(data['scalars'])
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
