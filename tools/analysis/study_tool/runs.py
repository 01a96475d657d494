"""Training a study's runs: child processes, signals, progress and each
run's training clock."""
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List, Optional

import numpy as np

from mmdet_is.utils.checkpoint import last_saved_checkpoint
from .config import all_runs, curve_path, method_spec, pending_runs, \
    run_config, run_name
from .curves import write_curve

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
TRAIN_SCRIPT = osp.join(REPO_ROOT, 'tools', 'train.py')


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


def resume_note(work_dir: str) -> str:
    """What the next study run does with an interrupted run, in words."""
    path = last_saved_checkpoint(work_dir)
    if path is None:
        return 'starts again from its first iteration (no checkpoint saved)'
    return f'resumes from {path}'


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
    if last_saved_checkpoint(cfg.work_dir):
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
        interrupted = [(m, s) for (m, s), f in zip(todo, futures)
                       if f.exception() is not None
                       and not isinstance(f.exception(), StudyStopped)]
        say(f'[study] stopped by {children.stopped_by}: '
            f'{len(todo) - len(errors)} of {len(todo)} runs finished, '
            f'{len(interrupted)} interrupted; when the study runs again:')
        for m, s in interrupted:
            say(f'[study] {run_name(m, s)} ' + resume_note(
                osp.join(study.work_dir, run_name(m, s))))
        return 130 if children.stopped_by == 'SIGINT' else 143
    if failed:
        say(f'[study] {len(failed)} of {len(todo)} runs failed:')
        for err in failed:
            say(f'[study] {err}')
        return 1
    return 0
