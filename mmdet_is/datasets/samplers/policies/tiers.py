"""The ``tiers`` selection policy: hard / medium / easy tiers by score.

After AFSS (Zhang et al., CVPR 2026, arXiv 2603.17684): all hard images, a
share of the medium and easy ones, and a forced revisit of every image left
out for too long. Studied with the detection-quality score ``1 - min(P,
R)`` (``min_pr``), its default.
"""
from typing import Optional, Sequence, Tuple

import numpy as np
import torch

from ....registry import POLICIES
from .selection import Selection, SelectionPolicy, check_budget

#: tier codes of :class:`TierPolicy`
HARD, MEDIUM, EASY = 0, 1, 2
TIER_NAMES = ('hard', 'medium', 'easy')


@POLICIES.register_module(name='tiers')
class TierPolicy(SelectionPolicy):
    """Hard / medium / easy tiers by score (after AFSS, arXiv 2603.17684).

    With ``s_i`` the score (higher = harder, e.g. ``1 - min(P, R)`` of
    :func:`~mmdet_is.scoring.detection_quality.precision_recall_proxies`)
    and thresholds ``t_easy <= t_hard``::

        hard    s_i >  t_hard
        easy    s_i <= t_easy
        medium  otherwise

    The thresholds are fixed (``thresholds``) or quantiles of the current
    scores (``quantiles``: ``t = quantile(s, q)``; ties at a threshold fall
    in the easier tier). An image of tier ``t`` is *due* when it has not
    been trained for ``max_age[t]`` epochs (``age >= max_age[t]``; hard
    images are due every epoch). The epoch's ``k`` images are, in order:

    1. every due image (if more than ``k`` are due: the longest left out
       first, then the highest scores; the rest are counted as
       ``due_left_out``);
    2. of the medium and easy images not due, ``round(f_t n_t)`` minus the
       due images already taken from tier ``t`` (``n_t`` images in the tier,
       ``f_t`` its fraction), at random; scaled down in proportion when
       they exceed the budget left;
    3. any budget still left: uniformly at random among the images not
       taken.

    So every image is trained at least once every ``max_age[t]`` epochs of
    its tier while the budget holds them, and the fractions are the shares
    AFSS trains of each tier when the sampler's ``keep_ratio`` matches
    them (hard share + ``f_medium`` medium share + ``max(f_easy,
    1 / max_age_easy)`` easy share); a larger budget is spread uniformly.

    Args:
        keep_ratio, final_fraction: as :class:`~.selection.SelectionPolicy`.
        quantiles: ``(q_easy, q_hard)`` in [0, 1], ``q_easy <= q_hard``.
        thresholds: ``(t_easy, t_hard)`` fixed score thresholds; when
            given, ``quantiles`` is not used.
        fractions: ``(f_medium, f_easy)`` in [0, 1].
        max_age: ``(R_medium, R_easy)`` epochs, >= 1.
        hard_cap (float | None): at most ``floor(hard_cap k)`` hard images
            an epoch (the longest left out first, then at random); the rest
            of the hard tier is left to step 3. None: every hard image
            (AFSS).
        stuck_score (float | None): an image scored at least this at each
            of its last ``retire_after`` trainings is retired to the easy
            tier (revisited every ``R_easy`` epochs): with ``min_pr``,
            1.0 is an image the detector finds nothing right on, epoch
            after epoch. None: no retirement.
        retire_after (int): trainings in a row at ``stuck_score``, >= 1.
        select_from_epoch: as :class:`~.selection.SelectionPolicy`.

    Raises:
        ValueError: neither ``quantiles`` nor ``thresholds``, or a value
            out of range.
    """

    default_score = dict(heuristic='min_pr')

    def __init__(self,
                 keep_ratio: float = 0.6,
                 final_fraction: float = 0.0,
                 quantiles: Optional[Sequence[float]] = (0.3, 0.6),
                 thresholds: Optional[Sequence[float]] = None,
                 fractions: Sequence[float] = (0.4, 0.02),
                 max_age: Sequence[int] = (3, 10),
                 hard_cap: Optional[float] = None,
                 stuck_score: Optional[float] = None,
                 retire_after: int = 2,
                 select_from_epoch: int = 0) -> None:
        super().__init__(keep_ratio, final_fraction, select_from_epoch)
        if hard_cap is not None and not 0 <= hard_cap <= 1:
            raise ValueError(f'tiers rule: hard_cap must lie in [0, 1], got '
                             f'{hard_cap}')
        if retire_after < 1:
            raise ValueError(f'tiers rule: retire_after must be >= 1, got '
                             f'{retire_after}')
        self.hard_cap = hard_cap
        self.stuck_score = stuck_score
        self.retire_after = int(retire_after)
        self.stuck: Optional[np.ndarray] = None  # (N,) trainings at the top
        self._retired: Optional[np.ndarray] = None  # of the scored images
        if thresholds is not None:
            quantiles = None
        if quantiles is None and thresholds is None:
            raise ValueError('tiers rule: give quantiles or thresholds')
        bounds = quantiles if thresholds is None else thresholds
        if len(bounds) != 2 or bounds[0] > bounds[1]:
            raise ValueError(f'tiers rule: (easy, hard) bounds must be two '
                             f'values, easy <= hard; got {bounds}')
        if quantiles is not None and not 0 <= quantiles[0] <= quantiles[1] \
                <= 1:
            raise ValueError(f'tiers rule: quantiles must lie in [0, 1], got '
                             f'{quantiles}')
        if len(fractions) != 2 or not all(0 <= f <= 1 for f in fractions):
            raise ValueError(f'tiers rule: fractions (medium, easy) must lie '
                             f'in [0, 1], got {fractions}')
        if len(max_age) != 2 or not all(int(a) >= 1 for a in max_age):
            raise ValueError(f'tiers rule: max_age (medium, easy) must be >= '
                             f'1 epoch, got {max_age}')
        self.quantiles = None if quantiles is None else tuple(quantiles)
        self.thresholds = None if thresholds is None else tuple(thresholds)
        self.fractions = np.array([1.0, *fractions])
        self.max_age = np.array([1, *max_age], np.int64)

    def bounds(self, scores: np.ndarray) -> Tuple[float, float]:
        """``(t_easy, t_hard)`` for these scores."""
        if self.thresholds is not None:
            return self.thresholds
        t_easy, t_hard = np.quantile(scores, self.quantiles)
        return float(t_easy), float(t_hard)

    def tiers(self, scores: np.ndarray) -> np.ndarray:
        """``(M,)`` int8 tier codes (:data:`HARD`, :data:`MEDIUM`,
        :data:`EASY`)."""
        t_easy, t_hard = self.bounds(scores)
        tier = np.full(len(scores), MEDIUM, np.int8)
        tier[scores > t_hard] = HARD
        tier[scores <= t_easy] = EASY
        return tier

    def select(self, scores: np.ndarray, ages: np.ndarray, k: int,
               rng: np.random.Generator) -> Selection:
        """Args: ``scores`` ``(M,)``, ``ages`` ``(M,)`` int epochs since
        each image was last trained (>= 1), ``k`` images to pick, ``rng``.
        """
        check_budget(k, len(scores))
        tier = self.tiers(scores)
        counts = {}
        if self._retired is not None and len(self._retired) == len(scores):
            counts['retired'] = float(np.count_nonzero(self._retired))
            tier[self._retired] = EASY
        due = ages >= self.max_age[tier]
        if self.hard_cap is not None:
            counts['hard_capped'] = float(self._cap_hard(
                tier, due, ages, int(self.hard_cap * k), rng))
        counts.update({f'tier_{n}': float(np.count_nonzero(tier == t))
                       for t, n in enumerate(TIER_NAMES)})
        must = np.flatnonzero(due)
        counts['due'] = float(len(must))
        if len(must) >= k:
            order = np.lexsort((-scores[must], -ages[must]))
            pick = must[order[:k]]
            counts['due_left_out'] = float(len(must) - k)
        else:
            counts['due_left_out'] = 0.0
            pick = self._fill(must, tier, due, k, rng)
        for t, name in enumerate(TIER_NAMES):
            counts[f'selected_{name}'] = float(
                np.count_nonzero(tier[pick] == t))
        return Selection(pick, None, counts)

    @staticmethod
    def _cap_hard(tier: np.ndarray, due: np.ndarray, ages: np.ndarray,
                  cap: int, rng: np.random.Generator) -> int:
        """Keep ``cap`` of the due hard images due (the longest left out
        first, ties at random); the others are due no more (step 3 may
        still pick them). Returns how many were capped."""
        hard = np.flatnonzero(due & (tier == HARD))
        if len(hard) <= cap:
            return 0
        order = np.lexsort((rng.random(len(hard)), -ages[hard]))
        due[hard[order[cap:]]] = False
        return len(hard) - cap

    def plan(self, epoch: int):
        """:meth:`SelectionPolicy.plan`, after counting, for
        ``stuck_score``, the trainings in a row each image ended at it."""
        if self.stuck_score is not None:
            self._update_stuck(epoch)
        return super().plan(epoch)

    def _update_stuck(self, epoch: int) -> None:
        s = self.sampler
        if self.stuck is None:
            self.stuck = np.zeros(s.num_images, np.int32)
        scored = np.flatnonzero(s.last_drawn >= 0)
        last = scored[self.ages(scored, epoch) == 1]  # trained last epoch
        top = s.table[last] >= self.stuck_score
        self.stuck[last[top]] += 1
        self.stuck[last[~top]] = 0
        self._retired = self.stuck[scored] >= self.retire_after

    def state_dict(self) -> dict:
        state = super().state_dict()
        state['stuck'] = None if self.stuck is None else torch.from_numpy(
            self.stuck.copy())
        return state

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        stuck = state.get('stuck')
        self.stuck = None if stuck is None else stuck.numpy().copy()

    def _fill(self, must: np.ndarray, tier: np.ndarray, due: np.ndarray,
              k: int, rng: np.random.Generator) -> np.ndarray:
        """Steps 2 and 3: the tier quotas, then uniform."""
        left = k - len(must)
        pools = [np.flatnonzero((tier == t) & ~due) for t in (MEDIUM, EASY)]
        want = np.array([
            min(len(pool), max(0, round(self.fractions[t] * np.count_nonzero(
                tier == t)) - np.count_nonzero(due & (tier == t))))
            for t, pool in zip((MEDIUM, EASY), pools)
        ], np.int64)
        if want.sum() > left:  # scale the quotas down to the budget
            scaled = np.floor(want * left / want.sum()).astype(np.int64)
            scaled[0] += left - scaled.sum()  # the remainder to medium
            want = np.minimum(scaled, [len(p) for p in pools])
        taken = [rng.choice(pool, n, replace=False)
                 for pool, n in zip(pools, want)]
        pick = np.concatenate([must, *taken])
        if len(pick) < k:  # budget left: uniform over the rest
            free = np.ones(len(tier), bool)
            free[pick] = False
            rest = np.flatnonzero(free)
            pick = np.concatenate(
                [pick, rng.choice(rest, k - len(pick), replace=False)])
        return pick
