"""A run's curve file: its validation records, images processed and
training clock, kept under ``<out_dir>/curves/`` (small, committed)."""
import glob
import json
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, List

import speedup  # tools/analysis/speedup.py

from .config import curve_path, method_order, method_seeds

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
