"""The watch on non-finite losses: a broken step writes no score, and a run
whose loss stays broken stops with the reason."""
from typing import Optional, Tuple

import numpy as np


class NonFiniteWatchdog:
    """Counts the steps whose loss was not finite on some rank.

    Such a step's ingredients come from a broken forward pass, so its
    scores are left out of the table (the hook asks :meth:`loss_finite`
    before it scores). After ``patience`` such steps in a row, :meth:`step`
    stops the run, naming the iteration and the last finite losses.

    Args:
        patience (int): non-finite steps in a row that stop the run, >= 1.
            10 lets a mixed-precision run skip an overflowing step and
            stops a run whose weights have become NaN within 10
            iterations.

    Raises:
        ValueError: ``patience < 1``.
    """

    def __init__(self, patience: int = 10) -> None:
        if patience < 1:
            raise ValueError(f'nonfinite_patience must be >= 1, got '
                             f'{patience}')
        self.patience = patience
        self.run = 0  # non-finite steps in a row
        self.steps = 0  # logged as importance_nonfinite_steps
        self.last_finite: Optional[Tuple[int, dict]] = None

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
            'entered the importance table. Lower the learning rate '
            '(optim_wrapper.optimizer.lr) or clip gradients '
            '(optim_wrapper.clip_grad), then resume from the last checkpoint '
            'saved before it.')
