"""SelectionSampler: each epoch trains a chosen subset of the images, each
at most once, read from the same score table as the ImportanceSampler.

Sources of the rules: :mod:`.selection_rules` (AFSS, arXiv 2603.17684;
InfoBatch, Qin et al., ICLR 2024). The epoch length is constant, so
mmengine's epoch-based loop, parameter schedulers (also converted to
iterations), validation and checkpoint intervals and the ETA need nothing
special.
"""
import math
from typing import Dict, Optional, Sequence

import numpy as np
import torch

from mmdet.registry import DATA_SAMPLERS
from .importance_sampler import ImportanceSampler
from .selection_rules import RandomRule, build_rule


def smallest_index_dtype(n: int):
    """int32 when every index of ``n`` images fits, else int64."""
    return np.int32 if n < 2**31 else np.int64


@DATA_SAMPLERS.register_module()
class SelectionSampler(ImportanceSampler):
    """Train ``K`` chosen images an epoch instead of all ``N``.

    ``K = ceil(keep_ratio * N / G) * G`` images per epoch, ``G = batch_size
    * world_size``, so an epoch has ``ceil(keep_ratio * N / G)`` iterations,
    the same every epoch. At the start of every epoch the sampler plans it:

    1. images never trained yet come first, chosen uniformly at random, so
       the first ``ceil(N / K)`` epochs train every image once and give
       every image a score;
    2. the rest of the budget goes to the images the rule picks from the
       score table and each image's age (epochs since it was last trained):
       ``rule=dict(type='tiers' | 'infobatch' | 'random', ...)``
       (:mod:`.selection_rules`); for the last ``final_fraction`` of the
       epochs the rule is ``'random'`` (every image equally likely again,
       at the same epoch length: InfoBatch's return to the full data);
    3. the plan is shuffled and cut into global batches; each rank takes its
       contiguous slice, as with the ImportanceSampler.

    A rule with loss weights (``infobatch``) gives each image its weight,
    which the hook hands to the head as ``importance_weight``; images never
    trained and all other rules have weight 1. When ``K > N`` (a
    ``keep_ratio`` near 1 with a large batch) every image is planned and
    the plan wraps around, as mmengine's DefaultSampler pads.

    Scores, the revisit ages, the random state and the plan of the epoch in
    progress are in :meth:`state_dict`: a resumed run plans and yields the
    same indices as an uninterrupted one.

    Args:
        dataset: the training set (only its length is used).
        batch_size (int): images per GPU per iteration.
        rule (dict): the selection rule's config.
        keep_ratio (float): the share of the images an epoch trains, in
            (0, 1].
        final_fraction (float): the share of the epochs, at the end, that
            use ``'random'``; in [0, 1). Needs the number of epochs, which
            :class:`~mmdet_is.engine.ImportanceSamplingHook` sets
            (:meth:`set_max_epochs`).
        seed (int | None): shared random seed; ``None`` syncs a random one.
        init_score (float): score of images not yet scored.

    Raises:
        ValueError: ``keep_ratio`` outside (0, 1], ``final_fraction``
            outside [0, 1), a bad rule argument.
        KeyError: an unknown rule.
    """

    def __init__(self,
                 dataset: Sequence,
                 batch_size: int,
                 rule: Optional[dict] = None,
                 keep_ratio: float = 0.6,
                 final_fraction: float = 0.0,
                 seed: Optional[int] = None,
                 init_score: float = 1.0) -> None:
        super().__init__(dataset, batch_size, seed=seed, smoothing=False,
                         init_score=init_score)
        if not 0 < keep_ratio <= 1:
            raise ValueError(f'SelectionSampler keep_ratio must be in (0, 1],'
                             f' got {keep_ratio}')
        if not 0 <= final_fraction < 1:
            raise ValueError(f'SelectionSampler final_fraction must be in '
                             f'[0, 1), got {final_fraction}')
        self.rule_cfg = dict(rule or dict(type='tiers'))
        self.rule = build_rule(self.rule_cfg)
        self.keep_ratio = keep_ratio
        self.final_fraction = final_fraction
        self.iters_per_epoch = math.ceil(keep_ratio * self.num_images /
                                         self.global_batch)
        self.epoch_size = self.iters_per_epoch * self.global_batch
        self.max_epochs: Optional[int] = None
        self._plan: Optional[np.ndarray] = None
        self._plan_weights: Optional[np.ndarray] = None
        self.plan_epoch = -1
        self.epoch_counts: Dict[str, float] = {}

    @property
    def weights_loss(self) -> bool:
        """True when the rule gives loss weights (the head must apply
        them)."""
        return self.rule.weighted

    def set_max_epochs(self, max_epochs: int) -> None:
        """The number of epochs of the run, for ``final_fraction``."""
        self.max_epochs = int(max_epochs)

    def in_final_phase(self, epoch: int) -> bool:
        """True when ``epoch`` (from 0) is in the last ``final_fraction``.

        Raises:
            RuntimeError: ``final_fraction > 0`` and no number of epochs
                was set.
        """
        if self.final_fraction == 0:
            return False
        if self.max_epochs is None:
            raise RuntimeError(
                'SelectionSampler final_fraction needs the number of epochs,'
                ' which ImportanceSamplingHook sets: add it to custom_hooks')
        return epoch >= self.max_epochs - round(self.final_fraction *
                                                self.max_epochs)

    # -- drawing ---------------------------------------------------------
    def draw_global_batch(self):
        """The next global batch of the epoch's plan and the loss weight of
        each image: ``(G,)`` int64 indices, ``(G,)`` float64 weights."""
        pos = self.batches_drawn % self.iters_per_epoch
        if pos == 0:
            epoch = self.batches_drawn // self.iters_per_epoch
            self._plan, self._plan_weights = self.plan(epoch)
            self.plan_epoch = epoch
        g = self.global_batch
        return (self._plan[pos * g:(pos + 1) * g].astype(np.int64),
                self._plan_weights[pos * g:(pos + 1) * g])

    def ages(self, idx: np.ndarray, epoch: int) -> np.ndarray:
        """Epochs since images ``idx`` (all trained before) were last
        trained, at the start of ``epoch``: ``(k,)`` int64, >= 1."""
        return epoch - self.last_drawn[idx].astype(np.int64) // \
            self.iters_per_epoch

    def plan(self, epoch: int):
        """The images of ``epoch`` in the order they are trained and their
        loss weights: ``(K,)`` indices, ``(K,)`` float64 (steps 1-3 of the
        class docstring). Records ``epoch_counts`` for the log."""
        n = self.num_images
        k = min(self.epoch_size, n)
        fresh = np.flatnonzero(self.last_drawn < 0)
        final = self.in_final_phase(epoch)
        counts = dict(selected_fresh=float(min(len(fresh), k)),
                      final_phase=float(final))
        if len(fresh) >= k:
            pick = self.rng.choice(fresh, k, replace=False)
            weight = np.ones(k)
        else:
            scored = np.flatnonzero(self.last_drawn >= 0)
            rule = RandomRule() if final else self.rule
            sel = rule(self.table[scored], self.ages(scored, epoch),
                       k - len(fresh), self.rng)
            counts.update(sel.counts)
            pick = np.concatenate([fresh, scored[sel.index]])
            weight = np.ones(k)
            if sel.weight is not None:
                weight[len(fresh):] = sel.weight
        order = self.rng.permutation(k)
        pick = pick[order].astype(smallest_index_dtype(n))
        weight = weight[order]
        if self.epoch_size > k:  # more slots than images: wrap around
            pick = np.resize(pick, self.epoch_size)
            weight = np.resize(weight, self.epoch_size)
        self.epoch_counts = counts
        return pick, weight

    def loss_weights(self, weights: np.ndarray, **unbiased):
        """The rule's loss weights of a global batch (``next_to_train``'s
        second array) and 0 clipped; selection takes no ``unbiased``
        options."""
        return np.asarray(weights, np.float64), 0

    # -- diagnostics ------------------------------------------------------
    def diagnostics(self, quantiles=(0.0, 0.5, 0.9, 0.99, 1.0),
                    max_points: int = 1_000_000) -> Dict[str, float]:
        """What a user needs to trust the selection, O(N).

        Returns:
            dict: ``coverage`` (share of images trained at least once),
            ``not_drawn_last_epoch``, ``rejected_updates``, ``score_q<q>``
            as :meth:`ImportanceSampler.diagnostics`; ``score_age_mean``
            and ``score_age_max``: epochs since each scored image was last
            trained (the age of its score) at the current epoch;
            ``epoch_images``: images per epoch; and the current plan's
            counts: ``selected_fresh`` (never trained before),
            ``final_phase`` (1 in the last ``final_fraction``), and the
            rule's (:mod:`.selection_rules`: ``tier_<t>``,
            ``selected_<t>``, ``due``, ``due_left_out``;
            ``infobatch_below_mean``, ``infobatch_r``,
            ``infobatch_overflow``).
        """
        stats = self.common_diagnostics(quantiles, max_points)
        stats['epoch_images'] = float(self.epoch_size)
        scored = np.flatnonzero(self.last_drawn >= 0)
        if len(scored):
            ages = self.ages(scored, max(self.plan_epoch, 0))
            stats.update(score_age_mean=float(ages.mean()),
                         score_age_max=float(ages.max()))
        stats.update(self.epoch_counts)
        return stats

    # -- checkpoint ----------------------------------------------------------
    def state_dict(self) -> dict:
        """The ImportanceSampler's state plus the plan of the epoch in
        progress (None at an epoch boundary) and the epoch geometry."""
        state = super().state_dict()
        mid_epoch = self.batches_drawn % self.iters_per_epoch != 0
        state.update(
            iters_per_epoch=self.iters_per_epoch,
            plan=torch.from_numpy(self._plan.copy()) if mid_epoch else None,
            plan_weights=torch.from_numpy(self._plan_weights.copy())
            if mid_epoch else None,
            plan_epoch=self.plan_epoch,
            epoch_counts=dict(self.epoch_counts))
        return state

    def load_state_dict(self, state: dict) -> None:
        """Restore :meth:`state_dict`.

        Raises:
            ValueError: as :meth:`ImportanceSampler.load_state_dict`, a
                checkpoint of an ImportanceSampler, or one written with
                another number of iterations per epoch (``keep_ratio``).
        """
        if 'iters_per_epoch' not in state:
            raise ValueError(
                'cannot resume SelectionSampler from a checkpoint of an '
                'ImportanceSampler (no epoch plan); start the run afresh')
        if state['iters_per_epoch'] != self.iters_per_epoch:
            raise ValueError(
                f'cannot resume SelectionSampler: the checkpoint has '
                f'{state["iters_per_epoch"]} iterations per epoch, this run '
                f'{self.iters_per_epoch} (keep_ratio={self.keep_ratio}): '
                'keep the keep_ratio of the run resumed')
        super().load_state_dict(state)
        if state['plan'] is not None:
            self._plan = state['plan'].numpy().copy()
            self._plan_weights = state['plan_weights'].numpy().copy()
        self.plan_epoch = state['plan_epoch']
        self.epoch_counts = dict(state['epoch_counts'])
