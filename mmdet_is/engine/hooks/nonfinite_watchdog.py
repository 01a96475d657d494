"""The watch on non-finite losses and weights: a broken step writes no
score, a run whose loss stays broken stops with the reason, weights that are
not finite are never saved as a checkpoint nor loaded from one, and a run
that had broken steps says so at its end."""
import glob
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch

from ...utils.checkpoint import last_saved_checkpoint

#: non-finite iterations a message names at most
SHOWN = 10


def plural(steps: int) -> str:
    return f'{steps} step' + ('' if steps == 1 else 's')


def nonfinite_tensors(state: Dict[str, torch.Tensor]) -> Tuple[int, int]:
    """``(non-finite, all)``: how many floating-point tensors of a state
    dict hold a value that is not finite, and how many there are."""
    floats = [t for t in state.values()
              if torch.is_tensor(t) and t.is_floating_point()]
    bad = sum(not bool(torch.isfinite(t).all()) for t in floats)
    return bad, len(floats)


def last_finite_checkpoint(work_dir: str,
                           skip: Tuple[str, ...] = ()) -> Optional[str]:
    """The newest ``*.pth`` of ``work_dir`` (other than ``skip``) whose
    weights are all finite, or None. Loads them newest first, through
    mmengine's loader, until one is finite."""
    from mmengine.runner.checkpoint import CheckpointLoader
    skip = {osp.abspath(p) for p in skip}
    paths = sorted(glob.glob(osp.join(work_dir, '*.pth')), key=osp.getmtime,
                   reverse=True)
    for path in paths:
        if osp.abspath(path) in skip:
            continue
        ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
        if not nonfinite_tensors(ckpt.get('state_dict', ckpt))[0]:
            return path
    return None


@dataclass
class RunFacts:
    """What the advice of a refusal needs to know of the run: its merged
    config file, work dir, learning rate and whether it clips gradients
    (read from the Runner by :meth:`NonFiniteWatchdog.bind`)."""
    config: str = 'CONFIG'
    work_dir: Optional[str] = None
    lr: Optional[float] = None
    clips: bool = False


def restart_advice(resume_point: Optional[str], run: RunFacts,
                   refused: Optional[str] = None) -> str:
    """What a user does next: a command that resumes from
    ``resume_point`` (a checkpoint of this run with finite weights) at a
    tenth of the learning rate, or, with none, start again; gradient
    clipping is advised only when the run does not clip.

    Args:
        resume_point: the checkpoint to resume from, or None.
        run: the run's facts.
        refused: the checkpoint refused, when one was (a file of another
            run is named as such).
    """
    lower = 'a lower learning rate (optim_wrapper.optimizer.lr' + (
        f', {run.lr:g} now)' if run.lr is not None else ')') + (
        '' if run.clips else ' or clipped gradients (optim_wrapper.clip_grad)')
    if resume_point is None:
        here = f' ({run.work_dir})' if run.work_dir else ''
        if refused is not None and run.work_dir and osp.dirname(
                osp.abspath(refused)) != osp.abspath(run.work_dir):
            return (f'{refused} is not a checkpoint of this run{here}: load '
                    'another with finite weights, or start again with '
                    f'{lower}.')
        return (f'No checkpoint of this run{here} has finite weights: start '
                f'again with {lower}.')
    command = f'python3 tools/train.py {run.config}'
    if run.work_dir:
        command += f' --work-dir {run.work_dir}'
    command += f' --resume {resume_point}'
    if run.lr is not None:
        command += f' --cfg-options optim_wrapper.optimizer.lr={run.lr / 10:g}'
    return (f'Resume from {resume_point}, the last checkpoint with finite '
            f'weights, with {lower}: {command}')


class NonFiniteWatchdog:
    """Counts the steps whose loss was not finite on some rank, and guards
    the checkpoints against non-finite weights.

    Such a step's ingredients come from a broken forward pass, so its
    scores are left out of the table (the hook asks :meth:`loss_finite`
    before it scores). After ``patience`` such steps in a row, :meth:`step`
    stops the run, naming the iteration, the last finite losses and the
    checkpoint to resume from (or that there is none). Whatever the
    patience, :meth:`check_weights` refuses to let weights that are not
    finite become a checkpoint or be loaded from one.

    Args:
        patience (int): non-finite steps in a row that stop the run, >= 1.
            10 lets a mixed-precision run skip an overflowing step and
            stops a run whose weights have become NaN within 10
            iterations.
        work_dir (str | None): the run's work dir, where its checkpoints
            are (the hook reads it and the run's other facts with
            :meth:`bind`).

    Raises:
        ValueError: ``patience < 1``.
    """

    def __init__(self, patience: int = 10,
                 work_dir: Optional[str] = None) -> None:
        if patience < 1:
            raise ValueError(f'nonfinite_patience must be >= 1, got '
                             f'{patience}')
        self.patience = patience
        self.run_facts = RunFacts(work_dir=work_dir)
        self.run = 0  # non-finite steps in a row
        self.steps = 0  # logged as importance_nonfinite_steps
        self.iterations: List[int] = []  # the first SHOWN of them, from 1
        self.last_finite: Optional[Tuple[int, dict]] = None

    @property
    def work_dir(self) -> Optional[str]:
        return self.run_facts.work_dir

    def bind(self, runner) -> None:
        """Read the run's facts for the advice (:class:`RunFacts`); the
        config is the merged one mmengine's Runner dumped in the work dir
        (``Runner.dump_config``), so that every option of the run holds."""
        optim = runner.cfg.get('optim_wrapper', {})
        name = (osp.basename(runner.cfg.filename) if runner.cfg.filename
                else f'{runner.timestamp}.py')
        self.run_facts = RunFacts(
            config=osp.join(runner.work_dir, name), work_dir=runner.work_dir,
            lr=optim.get('optimizer', {}).get('lr'),
            clips=bool(optim.get('clip_grad')))

    def loss_finite(self, message_hub, iteration: int) -> bool:
        """Whether this rank's loss of the step is finite, read from the
        value mmengine's RuntimeInfoHook has already put in the message hub
        (no wait for the GPU); a finite step's losses are kept for the
        message of :meth:`step`."""
        scalars = message_hub.log_scalars
        loss = scalars['train/loss'].current() if 'train/loss' in scalars \
            else 0.0
        if not np.isfinite(loss):
            return False
        self.last_finite = (iteration, {
            k[len('train/'):]: v.current()
            for k, v in scalars.items() if k.startswith('train/loss')})
        return True

    def step(self, all_finite: bool, iteration: int) -> None:
        """Record one step (all ranks decide alike: they see the same
        gathered answers).

        Raises:
            RuntimeError: the loss has not been finite for ``patience``
                steps in a row.
        """
        if all_finite:
            self.run = 0
            return
        self.run += 1
        self.steps += 1
        if len(self.iterations) < SHOWN:
            self.iterations.append(iteration + 1)
        if self.run < self.patience:
            return

        def values(losses):
            return ', '.join(f'{k}={v:.4g}' for k, v in losses.items())

        last = ('no finite loss yet' if self.last_finite is None else
                f'the last finite one at iteration '
                f'{self.last_finite[0] + 1}: {values(self.last_finite[1])}')
        raise RuntimeError(
            f'the loss has not been finite for {self.run} iterations (up to '
            f'iteration {iteration + 1}); {last}. No score of these steps '
            'entered the importance table. ' + restart_advice(
                last_saved_checkpoint(self.work_dir) if self.work_dir
                else None, self.run_facts))

    def summary(self) -> Optional[str]:
        """The end-of-run notice of the non-finite steps, None without
        any."""
        if not self.steps:
            return None
        more = ', ...' if self.steps > len(self.iterations) else ''
        shown = ', '.join(map(str, self.iterations))
        return (f'the loss was not finite in {plural(self.steps)} '
                f'(iterations {shown}{more}); their images kept their earlier '
                'scores. The weights stayed finite, so the run finished; '
                f'fewer than nonfinite_patience={self.patience} in a row do '
                'not stop it.')

    def check_weights(self, state: Dict[str, torch.Tensor], what: str,
                      exclude: Tuple[str, ...] = ()) -> None:
        """Refuse weights that are not finite.

        Args:
            state: a model's state dict.
            what: what would happen to them ("save the checkpoint X",
                "resume from X", "finish training").
            exclude: checkpoints not to advise (the one refused; a file
                outside the work dir is named as another run's).

        Raises:
            RuntimeError: a tensor of ``state`` is not finite; the message
                says what to do next (:func:`restart_advice`, with the
                newest checkpoint of ``work_dir`` whose weights are finite).
        """
        bad, total = nonfinite_tensors(state)
        if not bad:
            return
        point = last_finite_checkpoint(self.work_dir, exclude) \
            if self.work_dir else None
        steps = (f' (the loss was not finite in {plural(self.steps)}, from '
                 f'iteration {self.iterations[0]})' if self.steps else '')
        raise RuntimeError(
            f'cannot {what}: {bad} of {total} weight tensors are not '
            f'finite{steps}. ' + restart_advice(
                point, self.run_facts, exclude[0] if exclude else None))
