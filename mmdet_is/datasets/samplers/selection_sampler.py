"""SelectionSampler: 0.1's spelling of per-epoch selection, kept for one
release."""
from typing import Optional, Sequence

from mmdet.registry import DATA_SAMPLERS
from .importance_sampler import ImportanceSampler, warn_deprecated


@DATA_SAMPLERS.register_module()
class SelectionSampler(ImportanceSampler):
    """Deprecated: an :class:`ImportanceSampler` whose policy is the
    selection rule, ``policy=dict(type=rule['type'], keep_ratio=...,
    final_fraction=..., **rule)``
    (:class:`~.policies.SelectionPolicy`); removed in mmdet_is 0.3.

    Args:
        dataset, batch_size, seed, init_score: as :class:`ImportanceSampler`.
        rule (dict | None): the selection rule (``tiers`` when None).
        keep_ratio (float), final_fraction (float): the policy's.
    """

    def __init__(self,
                 dataset: Sequence,
                 batch_size: int,
                 rule: Optional[dict] = None,
                 keep_ratio: float = 0.6,
                 final_fraction: float = 0.0,
                 seed: Optional[int] = None,
                 init_score: float = 1.0) -> None:
        warn_deprecated(
            "train_dataloader.sampler=dict(type='SelectionSampler', "
            "rule=dict(type=RULE, ...), keep_ratio=...)",
            "sampler=dict(type='ImportanceSampler', policy=dict(type=RULE, "
            'keep_ratio=..., ...), score=dict(heuristic=...))')
        policy = dict(rule or dict(type='tiers'), keep_ratio=keep_ratio,
                      final_fraction=final_fraction)
        super().__init__(dataset, batch_size, policy=policy, seed=seed,
                         init_score=init_score)
