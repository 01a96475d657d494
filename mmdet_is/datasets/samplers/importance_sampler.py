"""ImportanceSampler: mmengine's DefaultSampler plus a policy that decides
what trains next from the scores of the training pass.

Its ``policy`` (:data:`mmdet_is.registry.POLICIES`: importance draws,
per-epoch selection) picks each global batch and its loss weights from
the score table; its ``score`` (:data:`mmdet_is.registry.IMAGE_SCORES`)
turns a training step's ingredients into one score per image. Both are
configured together, in the sampler's config;
:class:`~mmdet_is.engine.ImportanceSamplingHook` only carries the
ingredients and the scores between the model, the ranks and the sampler.
Its checkpoint (:mod:`.sampler_state`), what enters its table
(:mod:`.sampler_config`) and its log numbers (:mod:`.sampler_diagnostics`)
have modules of their own. Ownership and channels:
docs/guide/09_decisions.md.
"""
import time
from typing import Dict, Iterator, Optional, Sequence

import numpy as np
import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmdet.registry import DATA_SAMPLERS
from ...utils.unknown_keys import OLD_SAMPLER_KEYS, refuse_unknown_keys
from .batches_in_flight import NO_HOOK, BatchesInFlight
from .drawn_index import DrawnIndex, draw_seeds
from .fingerprint import dataset_identities
from .sampler_diagnostics import ScoreAges, sampler_diagnostics
from .sampler_state import load_sampler_state, sampler_state_dict
from .score_table import ScoreTable
from .sampler_config import accepted_updates, build_policy_and_score


@DATA_SAMPLERS.register_module()
class ImportanceSampler(Sampler):
    """Yield the images its policy picks, scored by its own score config.

    ``policy=dict(type='importance')`` (the default) draws with ``p_i ∝
    s_i`` (thesis eqs. 4.2, 4.3, Algorithm 5, RHO's eq. 4.6:
    :class:`~.policies.ImportanceDraw`); ``policy=dict(type='tiers' |
    'infobatch' | 'random' | 'subset_importance', keep_ratio=...)`` trains
    a chosen subset each epoch (:class:`~.policies.SelectionPolicy`).
    ``score`` configures the score the policy reads
    (:class:`~mmdet_is.scoring.ImageScore`: ``heuristic``, ``reduction``,
    ``ignore_regression``, ``irreducible_loss``); without it, the policy's
    ``default_score``::

        sampler=dict(type='ImportanceSampler', batch_size=16,
                     policy=dict(type='tiers', keep_ratio=0.6),
                     score=dict(heuristic='min_pr'))

    Distributed: every rank holds the same table and random stream, draws
    the same global batch of ``G = batch_size * world_size`` images and
    takes its own contiguous slice (the effective batch is ``G``, as with
    mmengine's DefaultSampler). The epoch length is the policy's.

    Every yielded global batch waits in ``in_flight``
    (:class:`~.batches_in_flight.BatchesInFlight`) until the hook takes it
    (:meth:`pop_trained`) after the step that trained it. A checkpoint
    keeps them; after a resume they are yielded again before anything new
    is drawn, so the resumed stream equals the uninterrupted one
    (:mod:`.sampler_state`).

    Args:
        dataset: the training set (its length; ``get_data_info`` for the
            fingerprint and RHO's image ids, when it has one).
        batch_size (int): images per GPU per iteration; must equal the
            dataloader's ``batch_size`` (the hook checks).
        policy (dict | None): the policy's config; None:
            ``dict(type='importance')``.
        score (dict | None): the score's config (``type`` defaults to
            ``'ImageScore'``); None: the policy's ``default_score``.
        seed (int | None): shared random seed; None syncs a random one.
        init_score (float): score of images not yet scored.
        restart_scores (bool): on ``--resume``, keep the run's weights,
            optimiser and schedule but start the sampler afresh (scores,
            stream): after a deliberate change of policy or score, which
            a resume otherwise refuses.

    Raises:
        ValueError: ``batch_size < 1``, an empty dataset, a bad policy or
            score argument; a score that can be negative (RHO) with a
            policy that takes non-negative scores only.
        KeyError: an unknown policy, score type, heuristic or reduction.
        TypeError: a key the sampler does not take, a policy or score that
            is not a dict (0.1's spellings: what to write instead).
    """

    def __init__(self,
                 dataset: Sequence,
                 batch_size: int,
                 policy: Optional[dict] = None,
                 score: Optional[dict] = None,
                 seed: Optional[int] = None,
                 init_score: float = 1.0,
                 restart_scores: bool = False, **unknown) -> None:
        refuse_unknown_keys('train_dataloader.sampler', unknown,
                            OLD_SAMPLER_KEYS)
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset  # mmdet's AspectRatioBatchSampler reads it
        self.num_images = len(dataset)
        self.batch_size = batch_size
        self.global_batch = batch_size * self.world_size
        self.seed = sync_random_seed() if seed is None else seed
        self.restart_scores = restart_scores
        self.table = ScoreTable(self.num_images, init_score)
        self.draw_counts = np.zeros(self.num_images, np.uint32)
        self.last_drawn = np.full(self.num_images, -1, np.int32)  # batch #
        self.rng = np.random.Generator(np.random.PCG64(self.seed))
        self.batches_drawn = 0
        self.batches_yielded = 0
        self.num_rejected_updates = 0
        self.draw_seconds = 0.0  # wall time in next_global_batch
        self.score_ages = ScoreAges()
        self.in_flight = BatchesInFlight()
        self._identities = None
        self.policy_cfg, self.policy, self.resolved_score_cfg, self.score = \
            build_policy_and_score(self, policy, score)
        if hasattr(self.score, 'bind'):
            self.score.bind(dataset)
        self.iters_per_epoch = self.policy.iters_per_epoch()

    # -- the stream ----------------------------------------------------------
    def __len__(self) -> int:
        """Indices this rank yields per epoch."""
        return self.iters_per_epoch * self.batch_size

    def set_epoch(self, epoch: int) -> None:
        """No-op: the stream continues across epochs."""

    def __iter__(self) -> Iterator[int]:
        """This rank's indices up to the end of the current epoch (a whole
        epoch unless resumed in the middle of one), as
        :class:`~.drawn_index.DrawnIndex` (an ``int`` with the seed of its
        draw).

        Raises:
            RuntimeError: the batches yielded are never marked trained (no
                ImportanceSamplingHook:
                :meth:`~.batches_in_flight.BatchesInFlight.check_consumed`,
                or a new epoch would start with the last one in flight).
        """
        if len(self.in_flight) >= self.iters_per_epoch:
            raise RuntimeError(NO_HOOK.format(n=len(self.in_flight)))
        left = self.iters_per_epoch - self.batches_yielded % \
            self.iters_per_epoch
        for _ in range(left):
            self.in_flight.check_consumed()
            drawn = self.in_flight.next_replayed() or self.next_global_batch()
            self.in_flight.push(drawn)
            first = self.batches_yielded * self.global_batch + \
                self.rank * self.batch_size
            self.batches_yielded += 1
            batch = self.rank_slice(drawn[0])
            seeds = draw_seeds(self.seed, first + np.arange(len(batch)))
            yield from map(DrawnIndex, batch.tolist(), seeds.tolist())

    def rank_slice(self, batch: np.ndarray) -> np.ndarray:
        """This rank's contiguous part of a ``(global_batch,)`` batch."""
        lo = self.rank * self.batch_size
        return batch[lo:lo + self.batch_size]

    def next_global_batch(self):
        """Draw the next global batch from the policy: ``(G,)`` int64
        indices and ``(G,)`` float64 loss weights."""
        t0 = time.perf_counter()
        batch, weights = self.policy.next_batch()
        self.score_ages.add(self.last_drawn[batch], self.batches_drawn)
        self.last_drawn[batch] = self.batches_drawn
        self.batches_drawn += 1
        np.add.at(self.draw_counts, batch, 1)
        self.draw_seconds += time.perf_counter() - t0
        return batch, np.asarray(weights, np.float64)

    # -- what the hook asks ------------------------------------------------
    @property
    def weighted(self) -> bool:
        """Whether the policy gives loss weights other than 1 (the head
        must apply them)."""
        return self.policy.weighted

    def set_run_length(self, max_iters: int) -> None:
        """The iterations of the run (the hook sets it before training),
        for the policy's schedules (annealing, a final phase)."""
        self.policy.set_run_length(max_iters)

    def next_to_train(self):
        """``(batch, weights)`` of the oldest batch in flight, the one the
        next training step receives: ``(G,)`` int64 indices and ``(G,)``
        float64 loss weights (raises RuntimeError when none is in flight)."""
        return self.in_flight.oldest()

    def pop_trained(self) -> np.ndarray:
        """The oldest global batch yielded and not yet trained: ``(G,)``
        int64 dataset indices (the indices drawn, whatever the dataset maps
        them to); raises as :meth:`next_to_train`."""
        return self.in_flight.pop()

    def at_epoch_end(self) -> bool:
        """True after the last step of an epoch, every batch trained: the
        next epoch's plan reads every score of this one."""
        return not self.in_flight and \
            self.batches_yielded % self.iters_per_epoch == 0

    def epoch_images(self) -> Optional[np.ndarray]:
        """The images the policy planned for the current epoch (``(K,)``
        indices), or None (importance draws plan no epoch)."""
        return self.policy.epoch_images()

    def score_batch(self, ingredients: dict, indices: np.ndarray) -> dict:
        """``(B,)`` tensors ``score`` and its parts of this step's images
        (``indices``: ``(B,)`` dataset indices) from a head's ``(B, P)``
        ingredients, by the sampler's score config."""
        return self.score(ingredients, indices)

    def update(self, indices, scores) -> int:
        """Replace the scores of ``indices`` (dataset indices) by ``scores``.

        Scores that may not enter the table
        (:func:`~.sampler_config.accepted_updates`: not finite, beyond
        ``+-MAX_SCORE``, negative unless the policy takes signed scores)
        are not written: the old score stays and ``num_rejected_updates``
        grows.

        Args:
            indices: ``(k,)`` ints in ``[0, N)``; scores: ``(k,)`` floats.

        Returns:
            int: how many of the ``k`` updates were rejected.

        Raises:
            IndexError: an index outside ``[0, N)``.
        """
        idx = np.asarray(torch.as_tensor(indices).cpu(), np.int64).ravel()
        val = np.asarray(torch.as_tensor(scores, dtype=torch.float64).cpu(),
                         np.float64).ravel()
        if idx.size and (idx.min() < 0 or idx.max() >= self.num_images):
            raise IndexError(f'sample_idx out of range [0, {self.num_images})'
                             f': {idx[(idx < 0) | (idx >= self.num_images)]}')
        ok = accepted_updates(val, self.policy.signed_scores)
        self.table.update(idx[ok], val[ok].astype(np.float32))
        rejected = int((~ok).sum())
        self.num_rejected_updates += rejected
        return rejected

    def diagnostics(self, **kwargs) -> Dict[str, float]:
        """The sampler's numbers for the log, O(N)
        (:func:`~.sampler_diagnostics.sampler_diagnostics`)."""
        return sampler_diagnostics(self, **kwargs)

    # -- checkpoint ----------------------------------------------------------
    def dataset_identities(self):
        """:func:`~.fingerprint.dataset_identities`, computed once."""
        if self._identities is None:
            self._identities = dataset_identities(self.dataset)
        return self._identities

    def state_dict(self) -> dict:
        """:func:`~.sampler_state.sampler_state_dict`."""
        return sampler_state_dict(self)

    def load_state_dict(self, state: dict) -> bool:
        """Restore :meth:`state_dict` unless ``restart_scores``; returns
        whether it did. Raises ValueError for a checkpoint of another
        policy, score, training set or global batch
        (:func:`~.sampler_state.check_resumable`)."""
        if self.restart_scores:
            return False
        load_sampler_state(self, state)
        return True


def find_importance_sampler(dataloader) -> ImportanceSampler:
    """The ImportanceSampler of a DataLoader, also under a batch sampler
    wrapper such as mmdet's ``AspectRatioBatchSampler``.

    Raises:
        TypeError: the dataloader does not use an ImportanceSampler.
    """
    for sampler in (getattr(dataloader, 'sampler', None),
                    getattr(getattr(dataloader, 'batch_sampler', None),
                            'sampler', None)):
        if isinstance(sampler, ImportanceSampler):
            return sampler
    raise TypeError(
        'ImportanceSamplingHook needs train_dataloader.sampler = '
        "dict(type='ImportanceSampler', batch_size=...), got "
        f'{type(getattr(dataloader, "sampler", None)).__name__}')
