"""Per-epoch selection: each epoch trains a chosen subset of the images,
each at most once.

A selection policy plans every epoch from the score table and how long ago
each image was trained; its rule (:meth:`SelectionPolicy.select`) knows
nothing of detection (the scores may be losses, a detection-quality score or
any other heuristic). The epoch length is constant, so mmengine's
epoch-based loop, parameter schedulers (also converted to iterations),
validation and checkpoint intervals and the ETA need nothing special.
Rules: ``tiers`` (:class:`~.tiers.TierPolicy`, after AFSS, arXiv
2603.17684), ``infobatch`` (:class:`~.infobatch.InfoBatchPolicy`, Qin et
al., ICLR 2024) and ``random`` (:class:`~.random_subset.RandomPolicy`).
"""
import math
from typing import Dict, NamedTuple, Optional

import numpy as np
import torch

from .base import BasePolicy


class Selection(NamedTuple):
    """What a rule picked.

    Attributes:
        index: ``(k,)`` int64 positions into the rule's ``scores``, distinct.
        weight: ``(k,)`` float64 loss weights, or None (all 1).
        counts: numbers for the log (images per tier, ...).
    """
    index: np.ndarray
    weight: Optional[np.ndarray]
    counts: Dict[str, float]


def check_budget(k: int, num_scored: int) -> None:
    """Raises ValueError unless ``0 <= k <= num_scored``."""
    if not 0 <= k <= num_scored:
        raise ValueError(f'a selection rule cannot pick {k} of '
                         f'{num_scored} images')


def random_subset(num_scored: int, k: int,
                  rng: np.random.Generator) -> Selection:
    """``k`` of ``num_scored`` images, uniformly without replacement."""
    check_budget(k, num_scored)
    return Selection(rng.choice(num_scored, k, replace=False), None, {})


def smallest_index_dtype(n: int):
    """int32 when every index of ``n`` images fits, else int64."""
    return np.int32 if n < 2**31 else np.int64


class SelectionPolicy(BasePolicy):
    """Train ``K`` chosen images an epoch instead of all ``N``.

    ``K = ceil(keep_ratio * N / G) * G`` images per epoch, ``G = batch_size
    * world_size``, so an epoch has ``ceil(keep_ratio * N / G)`` iterations,
    the same every epoch. At the start of every epoch the policy plans it:

    1. images never trained yet come first, chosen uniformly at random, so
       the first ``ceil(N / K)`` epochs train every image once and give
       every image a score;
    2. the rest of the budget goes to the images the rule
       (:meth:`select`) picks from the score table and each image's age
       (epochs since it was last trained); before epoch
       ``select_from_epoch`` and for the last ``final_fraction`` of the
       epochs the pick is uniform (selection only once the accuracy curve
       bends; InfoBatch's return to the full data), at the same epoch
       length;
    3. the plan is shuffled and cut into global batches.

    A rule with loss weights (``infobatch``) gives each image its weight;
    images never trained and all other rules have weight 1. When ``K > N``
    every image is planned and the plan wraps around, as mmengine's
    DefaultSampler pads. The plan of the epoch in progress is in
    :meth:`state_dict`: a resumed run plans and yields the same indices as
    an uninterrupted one.

    A new rule subclasses this class, implements :meth:`select` and is
    registered in :data:`mmdet_is.registry.POLICIES`.

    Args:
        keep_ratio (float): the share of the images an epoch trains, in
            (0, 1].
        final_fraction (float): the share of the epochs, at the end, that
            pick uniformly; in [0, 1). Needs the run length, which
            :class:`~mmdet_is.engine.ImportanceSamplingHook` sets.
        select_from_epoch (int): the first epoch (from 0) the rule picks
            in; before it the pick is uniform, a random subset of the same
            size. 0: from the first epoch with scores.

    Raises:
        ValueError: ``keep_ratio`` outside (0, 1], ``final_fraction``
            outside [0, 1), ``select_from_epoch`` negative.
    """

    def __init__(self, keep_ratio: float = 0.6,
                 final_fraction: float = 0.0,
                 select_from_epoch: int = 0) -> None:
        super().__init__()
        if not 0 < keep_ratio <= 1:
            raise ValueError(f'selection policy keep_ratio must be in (0, 1]'
                             f', got {keep_ratio}')
        if not 0 <= final_fraction < 1:
            raise ValueError(f'selection policy final_fraction must be in '
                             f'[0, 1), got {final_fraction}')
        if select_from_epoch < 0:
            raise ValueError(f'selection policy select_from_epoch must be '
                             f'>= 0, got {select_from_epoch}')
        self.keep_ratio = keep_ratio
        self.final_fraction = final_fraction
        self.select_from_epoch = int(select_from_epoch)
        self._plan: Optional[np.ndarray] = None
        self._plan_weights: Optional[np.ndarray] = None
        self.plan_epoch = -1
        self.epoch_counts: Dict[str, float] = {}

    def select(self, scores: np.ndarray, ages: np.ndarray, k: int,
               rng: np.random.Generator) -> Selection:
        """The rule: ``k`` of the ``M`` scored images.

        Args:
            scores: ``(M,)`` float32 scores (higher = harder).
            ages: ``(M,)`` int64 epochs since each was last trained, >= 1.
            k: images to pick, ``0 <= k <= M``.
            rng: the sampler's random stream (the only randomness allowed,
                so that a resumed run picks alike).
        """
        raise NotImplementedError

    def iters_per_epoch(self) -> int:
        s = self.sampler
        return math.ceil(self.keep_ratio * s.num_images / s.global_batch)

    @property
    def epoch_size(self) -> int:
        """``K``: images per epoch (a multiple of the global batch)."""
        return self.iters_per_epoch() * self.sampler.global_batch

    @property
    def max_epochs(self) -> Optional[int]:
        """Epochs of the run, from the run length (None before it is
        set)."""
        if self.max_iters is None:
            return None
        return -(-self.max_iters // self.iters_per_epoch())

    def in_final_phase(self, epoch: int) -> bool:
        """True when ``epoch`` (from 0) is in the last ``final_fraction``.

        Raises:
            RuntimeError: ``final_fraction > 0`` and no run length was set.
        """
        if self.final_fraction == 0:
            return False
        if self.max_epochs is None:
            raise RuntimeError(
                'selection policy final_fraction needs the number of epochs,'
                ' which ImportanceSamplingHook sets: add it to custom_hooks')
        return epoch >= self.max_epochs - round(self.final_fraction *
                                                self.max_epochs)

    def ages(self, idx: np.ndarray, epoch: int) -> np.ndarray:
        """Epochs since images ``idx`` (all trained before) were last
        trained, at the start of ``epoch``: ``(k,)`` int64, >= 1."""
        return epoch - self.sampler.last_drawn[idx].astype(np.int64) // \
            self.iters_per_epoch()

    def next_batch(self):
        """The next global batch of the epoch's plan and the loss weight of
        each image: ``(G,)`` int64 indices, ``(G,)`` float64 weights."""
        s = self.sampler
        iters = self.iters_per_epoch()
        pos = s.batches_drawn % iters
        if pos == 0:
            epoch = s.batches_drawn // iters
            self._plan, self._plan_weights = self.plan(epoch)
            self.plan_epoch = epoch
        g = s.global_batch
        return (self._plan[pos * g:(pos + 1) * g].astype(np.int64),
                self._plan_weights[pos * g:(pos + 1) * g])

    def plan(self, epoch: int):
        """The images of ``epoch`` in the order they are trained and their
        loss weights: ``(K,)`` indices, ``(K,)`` float64 (steps 1-3 of the
        class docstring). Records ``epoch_counts`` for the log."""
        s = self.sampler
        n, rng = s.num_images, s.rng
        k = min(self.epoch_size, n)
        fresh = np.flatnonzero(s.last_drawn < 0)
        final = self.in_final_phase(epoch)
        uniform = final or epoch < self.select_from_epoch
        counts = dict(selected_fresh=float(min(len(fresh), k)),
                      final_phase=float(final))
        weight = np.ones(k)
        if len(fresh) >= k:
            pick = rng.choice(fresh, k, replace=False)
        else:
            scored = np.flatnonzero(s.last_drawn >= 0)
            if uniform:
                sel = random_subset(len(scored), k - len(fresh), rng)
            else:
                sel = self.select(s.table[scored], self.ages(scored, epoch),
                                  k - len(fresh), rng)
            counts.update(sel.counts)
            pick = np.concatenate([fresh, scored[sel.index]])
            if sel.weight is not None:
                weight[len(fresh):] = sel.weight
        order = rng.permutation(k)
        pick = pick[order].astype(smallest_index_dtype(n))
        weight = weight[order]
        if self.epoch_size > k:  # more slots than images: wrap around
            pick = np.resize(pick, self.epoch_size)
            weight = np.resize(weight, self.epoch_size)
        self.epoch_counts = counts
        return pick, weight

    def epoch_images(self) -> Optional[np.ndarray]:
        if self._plan is None:
            return None
        return self._plan[:min(self.epoch_size, self.sampler.num_images)]

    def diagnostics(self) -> Dict[str, float]:
        """``epoch_images`` (images per epoch), ``score_age_mean`` and
        ``score_age_max`` (epochs since each scored image was last trained,
        the age of its score, at the current epoch) and the current plan's
        counts: ``selected_fresh`` (never trained before), ``final_phase``
        (1 in the last ``final_fraction``) and the rule's (``tier_<t>``,
        ``selected_<t>``, ``due``, ``due_left_out``;
        ``infobatch_below_mean``, ``infobatch_r``,
        ``infobatch_overflow``)."""
        stats = dict(epoch_images=float(self.epoch_size))
        scored = np.flatnonzero(self.sampler.last_drawn >= 0)
        if len(scored):
            ages = self.ages(scored, max(self.plan_epoch, 0))
            stats.update(score_age_mean=float(ages.mean()),
                         score_age_max=float(ages.max()))
        stats.update(self.epoch_counts)
        return stats

    def state_dict(self) -> dict:
        """The plan of the epoch in progress (None at an epoch boundary)
        and the epoch geometry."""
        s = self.sampler
        iters = self.iters_per_epoch()
        mid_epoch = s.batches_drawn % iters != 0
        return dict(
            iters_per_epoch=iters,
            plan=torch.from_numpy(self._plan.copy()) if mid_epoch else None,
            plan_weights=torch.from_numpy(self._plan_weights.copy())
            if mid_epoch else None,
            plan_epoch=self.plan_epoch,
            epoch_counts=dict(self.epoch_counts))

    def load_state_dict(self, state: dict) -> None:
        """Raises ValueError for a checkpoint written with another number
        of iterations per epoch (``keep_ratio``)."""
        if state['iters_per_epoch'] != self.iters_per_epoch():
            raise ValueError(
                f'cannot resume the selection policy: the checkpoint has '
                f'{state["iters_per_epoch"]} iterations per epoch, this run '
                f'{self.iters_per_epoch()} (keep_ratio={self.keep_ratio}): '
                'keep the keep_ratio of the run resumed')
        if state['plan'] is not None:
            self._plan = state['plan'].numpy().copy()
            self._plan_weights = state['plan_weights'].numpy().copy()
        self.plan_epoch = state['plan_epoch']
        self.epoch_counts = dict(state['epoch_counts'])
