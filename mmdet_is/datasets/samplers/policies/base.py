"""The contract of a sampling policy: what trains next, from the scores."""
import math
from typing import Dict, Optional, Tuple

import numpy as np


class BasePolicy:
    """Decides the images of every global batch and their loss weights.

    A policy is built from :data:`mmdet_is.registry.POLICIES` by the
    :class:`~mmdet_is.datasets.ImportanceSampler` that owns it, which binds
    itself (:meth:`bind`) and so gives the policy its public state: the
    score table ``sampler.table``, the shared random stream ``sampler.rng``,
    ``num_images``, ``global_batch``, ``batches_drawn`` (global batches
    drawn so far) and ``last_drawn`` (``(N,)`` int32, the global batch in
    which each image was last drawn, -1 never). The sampler keeps the
    queue of batches in flight, the rank slices, the augmentation seeds
    and the checkpoint; the policy keeps only its own state
    (:meth:`state_dict`).

    Class attributes a policy sets:

    * ``weighted``: whether :meth:`next_batch` can return loss weights
      other than 1 (the sampler then refuses a head that does not apply
      ``importance_weight``);
    * ``signed_scores``: whether negative scores are meaningful (RHO);
      otherwise the sampler keeps them out of the table;
    * ``default_score``: the score config used when the sampler's config
      gives none (the score this policy was studied with).
    """

    weighted = False
    signed_scores = False
    default_score: Dict = dict(heuristic='closeness')

    def __init__(self) -> None:
        self.sampler = None
        self.max_iters: Optional[int] = None

    def bind(self, sampler) -> None:
        """Called once by the owning sampler, before any draw."""
        self.sampler = sampler

    def iters_per_epoch(self) -> int:
        """Global batches per epoch: ``ceil(N / global_batch)``."""
        s = self.sampler
        return math.ceil(s.num_images / s.global_batch)

    def set_run_length(self, max_iters: int) -> None:
        """The iterations the run trains (set by the hook before
        training), for schedules over training (annealing, a final
        phase)."""
        self.max_iters = int(max_iters)

    def next_batch(self) -> Tuple[np.ndarray, np.ndarray]:
        """The next global batch: ``(G,)`` int64 dataset indices and
        ``(G,)`` float64 loss weights, ``G = batch_size * world_size``."""
        raise NotImplementedError

    def epoch_images(self) -> Optional[np.ndarray]:
        """The images planned for the current epoch (``(K,)`` indices), or
        None for a policy that plans no epoch."""
        return None

    def diagnostics(self) -> Dict[str, float]:
        """The policy's numbers for the log (O(N) allowed: called once per
        logging interval)."""
        return {}

    def state_dict(self) -> dict:
        """Tensors and plain values only (``weights_only`` loadable)."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore :meth:`state_dict`."""
