"""The ``infobatch`` selection policy (Qin et al., ICLR 2024), at a fixed
number of images per epoch; studied with the loss itself (``lis``), its
default score."""
import numpy as np

from ....registry import POLICIES
from .selection import Selection, SelectionPolicy, check_budget


@POLICIES.register_module(name='infobatch')
class InfoBatchPolicy(SelectionPolicy):
    """InfoBatch (Qin et al., ICLR 2024) at a fixed number of images.

    Every image whose score is at or above the mean score ``s_bar`` is kept;
    of the ``n_low`` images below it, ``m = k - n_high`` are kept uniformly
    at random, each with the loss weight ``n_low / m = 1 / (1 - r)``: the
    pruning probability ``r = 1 - m / n_low`` is what the epoch's budget
    leaves, and the weights make the epoch's summed gradient an unbiased
    estimate of the full data's (``E[sum_kept w_i g_i] = sum_i g_i``). When
    the budget is smaller than ``n_high``, ``k`` of the high images are kept
    at random with weight ``n_high / k`` and no low image (logged as
    ``infobatch_overflow``).

    InfoBatch's own ``r`` prunes the below-mean part only, so the share of
    the data it removes is ``r`` times the share below the mean (logged as
    ``infobatch_below_mean``): ``keep_ratio = 1 - r b``.

    Args:
        keep_ratio, final_fraction: as :class:`~.selection.SelectionPolicy`.
    """

    weighted = True
    default_score = dict(heuristic='lis')

    def select(self, scores: np.ndarray, ages: np.ndarray, k: int,
               rng: np.random.Generator) -> Selection:
        """Args: ``scores`` ``(M,)``, ``ages`` (unused), ``k``, ``rng``.
        Returns weights ``(k,)``: 1 for the high images, ``1 / (1 - r)``
        for the kept low ones."""
        check_budget(k, len(scores))
        low = scores < scores.mean(dtype=np.float64)
        high_idx, low_idx = np.flatnonzero(~low), np.flatnonzero(low)
        counts = dict(infobatch_below_mean=len(low_idx) / max(len(scores), 1))
        if len(high_idx) >= k:
            pick = rng.choice(high_idx, k, replace=False)
            weight = np.full(k, len(high_idx) / max(k, 1))
            counts.update(infobatch_r=1.0,
                          infobatch_overflow=float(len(high_idx) > k))
            return Selection(pick, weight, counts)
        m = k - len(high_idx)
        kept_low = rng.choice(low_idx, m, replace=False)
        weight = np.concatenate([np.ones(len(high_idx)),
                                 np.full(m, len(low_idx) / m)])
        counts.update(infobatch_r=1 - m / len(low_idx),
                      infobatch_overflow=0.0)
        return Selection(np.concatenate([high_idx, kept_low]), weight, counts)
