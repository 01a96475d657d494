"""The watch on a run that goes wrong without going NaN: a loss that grows
by orders of magnitude over its early value, and scores that collapse to
one value (all equal or all zero), so that the sampler silently draws as
if uniform. Each is a warning, once, with the iteration and the figures:
the run goes on (a NaN is :mod:`.nonfinite_watchdog`'s)."""
from typing import Callable, List, Optional

import numpy as np


class DivergenceWatch:
    """Warn once when the loss outgrows its early value, and once when a
    log interval's scores collapse: at least ``min_scores`` of them, all
    within ``rtol`` of each other (relative to the largest magnitude; all
    zero included). A diverged model's probabilities saturate, and every
    threshold-closeness score then sits at the clamp's floor (about 8e-6
    on the hostile run, the same to 0.2 %).

    Args:
        growth (float): the factor over the early loss (the smallest of
            the first ``early_steps`` finite losses: a loss that explodes
            in its first steps still has its start as the reference)
            beyond which the loss has diverged; 1e3, three orders of
            magnitude.
        early_steps (int): finite losses the early value is taken from.
        rtol (float): the relative spread under which scores are one value.
        min_scores (int): scores an interval needs before it can collapse.

    Raises:
        ValueError: ``growth <= 1`` or ``early_steps < 1``.
    """

    def __init__(self, growth: float = 1e3, early_steps: int = 20,
                 rtol: float = 1e-2, min_scores: int = 4) -> None:
        if growth <= 1 or early_steps < 1:
            raise ValueError(f'divergence growth must be > 1 and early_steps '
                             f'>= 1, got {growth}, {early_steps}')
        self.growth, self.early_steps = growth, early_steps
        self.rtol, self.min_scores = rtol, min_scores
        self.early: List[float] = []
        self.loss_warned = self.scores_warned = False
        self._low = self._high = None
        self._count, self._since = 0, None

    def loss(self, iteration: int, value: float,
             largest_weight: Callable[[], float]) -> Optional[str]:
        """Record the step's loss; the warning (once) when it exceeds
        ``growth`` x the early loss, with the largest weight magnitude
        (``largest_weight()``, asked only then), else None. Non-finite
        values are the NaN watch's and are ignored here."""
        if not np.isfinite(value):
            return None
        if len(self.early) < self.early_steps:
            self.early.append(float(value))
        early = min(self.early)
        if self.loss_warned or early <= 0 or value <= self.growth * early:
            return None
        self.loss_warned = True
        return (f'the loss has diverged without going NaN: {value:.3g} at '
                f'iteration {iteration + 1}, {value / early:.3g} times its '
                f'early value {early:.3g} (the smallest of iterations 1-'
                f'{self.early_steps}); the largest weight magnitude is '
                f'{largest_weight():.3g}. Lower the learning rate '
                '(optim_wrapper.optimizer.lr) and resume from a checkpoint '
                'saved before it diverged')

    def scores(self, iteration: int, scores: np.ndarray) -> None:
        """Record the finite scores one step wrote (``(B,)``)."""
        scores = scores[np.isfinite(scores)]
        if not len(scores):
            return
        low, high = float(scores.min()), float(scores.max())
        if self._since is None:
            self._since = iteration
        self._low = low if self._low is None else min(self._low, low)
        self._high = high if self._high is None else max(self._high, high)
        self._count += len(scores)

    def collapsed(self, iteration: int) -> Optional[str]:
        """At the end of a log interval: the warning (once) when the
        scores written since the last call collapsed (see the class), else
        None; starts the next interval."""
        low, high, count, since = (self._low, self._high, self._count,
                                   self._since)
        self._low = self._high = self._since = None
        self._count = 0
        if self.scores_warned or count < self.min_scores or \
                high - low > self.rtol * max(abs(high), abs(low)):
            return None
        self.scores_warned = True
        what = ('was 0' if high == low == 0 else
                f'was {high:.3g} (to {self.rtol:.0%})')
        return (f'the importance scores have collapsed: every one of the '
                f'{count} scores written in iterations {since + 1}-'
                f'{iteration + 1} {what}, so the sampler now draws as if '
                'uniform. Usually the model has diverged (its probabilities '
                'saturated at 0 or 1): look at the loss and the learning '
                'rate; a score that cannot tell images apart on this data '
                'is the other cause')
