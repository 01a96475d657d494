"""What a user needs to trust an ImportanceSampler, for the log: coverage,
images not drawn lately, rejected score updates, score quantiles and
ages, and its policy's own numbers."""
from typing import Dict

import numpy as np


class ScoreAges:
    """Mean number of global batches since each image drawn was drawn
    before (its score's age when the policy read it), since the last
    :meth:`take`."""

    def __init__(self) -> None:
        self.total, self.count = 0.0, 0

    def add(self, last_drawn: np.ndarray, batches_drawn: int) -> None:
        """``last_drawn``: ``(G,)`` the previous draw of each image of the
        batch being drawn now (-1: never)."""
        seen = last_drawn[last_drawn >= 0]
        self.total += float((batches_drawn - seen).sum())
        self.count += len(seen)

    def take(self):
        """The mean since the last call, or None when no image was drawn a
        second time; starts counting afresh."""
        mean = self.total / self.count if self.count else None
        self.total, self.count = 0.0, 0
        return mean


def sampler_diagnostics(sampler, quantiles=(0.0, 0.5, 0.9, 0.99, 1.0),
                        max_points: int = 1_000_000) -> Dict[str, float]:
    """The numbers of :meth:`ImportanceSampler.diagnostics`, O(N).

    Returns:
        dict: ``coverage`` = fraction of images drawn at least once,
        ``not_drawn_last_epoch`` = fraction of images not drawn in the last
        ``iters_per_epoch`` global batches, ``rejected_updates``,
        ``score_q<q>`` score quantiles (estimated on an evenly strided
        subset of at most ``max_points`` images), ``score_age``
        (:class:`ScoreAges`, left out when no image was drawn twice since
        the last call), and the policy's
        (:meth:`~.policies.BasePolicy.diagnostics`).
    """
    n = sampler.num_images
    stats = dict(
        coverage=float(np.count_nonzero(sampler.draw_counts)) / n,
        not_drawn_last_epoch=float(np.count_nonzero(
            sampler.last_drawn < sampler.batches_drawn -
            sampler.iters_per_epoch)) / n,
        rejected_updates=float(sampler.num_rejected_updates))
    step = max(1, n // max_points)
    values = np.quantile(sampler.table[slice(None, None, step)], quantiles)
    for q, v in zip(quantiles, values):
        stats[f'score_q{int(round(q * 100))}'] = float(v)
    age = sampler.score_ages.take()
    if age is not None:
        stats['score_age'] = age
    stats.update(sampler.policy.diagnostics())
    return stats
