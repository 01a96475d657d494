"""The ``subset_importance`` policy: importance draws within a selected
subset, the two recipes of the studies combined."""
from typing import Optional

import numpy as np

from ....registry import POLICIES, build
from .selection import SelectionPolicy


@POLICIES.register_module(name='subset_importance')
class SubsetImportancePolicy(SelectionPolicy):
    """Each epoch a selection rule picks ``K`` images (the ``subset``
    policy's plan: never-trained images first, then its rule); the
    never-trained ones train once each (so that every image gets a score),
    and the epoch's other slots are drawn from the subset's scored images
    with replacement, ``p_i ∝ s_i + c`` over them (thesis eqs. 4.2, 4.3
    restricted to them, ``c = S / M^2`` for ``M`` images): the images of
    the subset near the decision boundary (closeness, the default score)
    train more often, the others may not train this epoch. Every weight is
    1.

    Args:
        subset (dict): the selection policy that picks the subset, without
            ``type`` the ``random`` one; its ``keep_ratio``,
            ``final_fraction`` and ``select_from_epoch`` are this policy's.
        keep_ratio, final_fraction, select_from_epoch: as
            :class:`~.selection.SelectionPolicy`.
        smoothing (bool): add ``c`` (eq. 4.3) within the subset.

    Raises:
        ValueError: ``subset`` is not a selection policy, or a bad
            argument.
    """

    default_score = dict(heuristic='closeness')

    def __init__(self, subset: Optional[dict] = None,
                 keep_ratio: float = 0.6, final_fraction: float = 0.0,
                 select_from_epoch: int = 0,
                 smoothing: bool = True) -> None:
        super().__init__(keep_ratio, final_fraction, select_from_epoch)
        cfg = dict(dict(type='random'), **(subset or {}))
        cfg.update(keep_ratio=keep_ratio, final_fraction=final_fraction,
                   select_from_epoch=select_from_epoch)
        self.subset = build(POLICIES, cfg)
        if not isinstance(self.subset, SelectionPolicy):
            raise ValueError(f'subset_importance: subset {cfg} is not a '
                             'selection policy')
        self.smoothing = smoothing

    def bind(self, sampler) -> None:
        super().bind(sampler)
        self.subset.bind(sampler)

    def set_run_length(self, max_iters: int) -> None:
        super().set_run_length(max_iters)
        self.subset.set_run_length(max_iters)

    def plan(self, epoch: int):
        """The subset's plan, then ``K`` draws from it by score: ``(K,)``
        indices, ``(K,)`` weights of 1."""
        s = self.sampler
        pick, _ = self.subset.plan(epoch)
        fresh = s.last_drawn[pick] < 0  # trained once each: their scores
        members = np.unique(pick[~fresh])
        draws = pick[fresh]
        if len(members):
            q = s.table[members].astype(np.float64)
            if self.smoothing:
                q = q + q.sum() / len(members)**2
            q = q / q.sum() if q.sum() > 0 else np.full(len(q), 1 / len(q))
            draws = np.concatenate([draws, members[s.rng.choice(
                len(members), len(pick) - len(draws), p=q)]])
            s.rng.shuffle(draws)
        self.epoch_counts = dict(
            self.subset.epoch_counts,
            subset_images_trained=float(len(np.unique(draws))))
        return draws.astype(pick.dtype), np.ones(len(pick))
