"""ImportanceSampler: the one place that decides what trains next.

It owns the score table, the queue of batches in flight, the rank slices,
the augmentation seeds and the checkpoint of all of them; its ``policy``
(:data:`mmdet_is.registry.POLICIES`: importance draws, per-epoch selection)
picks each global batch and its loss weights from the table, and its
``score`` (:data:`mmdet_is.registry.IMAGE_SCORES`) turns a training step's
ingredients into one score per image. Both are configured together, in the
sampler's config; :class:`~mmdet_is.engine.ImportanceSamplingHook` only
carries the ingredients and the scores between the model, the ranks and
the sampler. Ownership and channels: docs/guide/09_decisions.md.
"""
import time
import warnings
from collections import deque
from typing import Dict, Iterator, Optional, Sequence

import numpy as np
import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmdet.registry import DATA_SAMPLERS
from ...registry import IMAGE_SCORES, POLICIES, build, lookup
from .drawn_index import DrawnIndex
from .fingerprint import check_same_dataset, dataset_identities, fingerprint
from .score_table import MAX_SCORE, ScoreTable

#: the checkpoint format of :meth:`ImportanceSampler.state_dict`
STATE_FORMAT = 'mmdet_is sampler v2'
#: keys of the sampler's config before 0.2 that belong to its policy
DEPRECATED_POLICY_KEYS = ('smoothing', 'mode', 'rescale')


def warn_deprecated(old: str, new: str) -> None:
    """One FutureWarning (shown by default) for a config key kept for one
    release."""
    warnings.warn(f'{old} is deprecated and will be removed in mmdet_is 0.3;'
                  f' write {new}', FutureWarning, stacklevel=3)


@DATA_SAMPLERS.register_module()
class ImportanceSampler(Sampler):
    """Yield the images its policy picks, scored by its own score config.

    ``policy=dict(type='importance')`` (the default) draws with ``p_i ∝
    s_i`` (thesis eqs. 4.2, 4.3, Algorithm 5, RHO's eq. 4.6:
    :class:`~.policies.ImportanceDraw`); ``policy=dict(type='tiers' |
    'infobatch' | 'random', keep_ratio=...)`` trains a chosen subset each
    epoch (:class:`~.policies.SelectionPolicy`). ``score`` configures the
    score the policy reads (:class:`~mmdet_is.scoring.ImageScore`:
    ``heuristic``, ``reduction``, ``ignore_regression``,
    ``irreducible_loss``); without it, the policy's ``default_score``
    (``closeness`` for importance draws, ``min_pr`` for ``tiers``, ``lis``
    for ``infobatch`` and ``random``)::

        sampler=dict(type='ImportanceSampler', batch_size=16,
                     policy=dict(type='tiers', keep_ratio=0.6),
                     score=dict(heuristic='min_pr'))

    Distributed: every rank holds the same table (the hook gathers each
    step's scores from all ranks) and the same random stream (one shared
    seed), draws the same global batch of ``G = batch_size * world_size``
    images and takes its own contiguous slice, so the effective batch is
    ``G`` as with mmengine's DefaultSampler. The epoch length is the
    policy's (``ceil(N / G)`` iterations for importance draws), the same
    every epoch.

    Batches in flight: DataLoader workers prefetch, so the sampler draws
    ahead of training. Every yielded global batch waits in a queue until
    the hook takes it (:meth:`pop_trained`) after the step that trained it;
    the hook scores exactly the indices drawn (also through dataset
    wrappers). A checkpoint keeps the batches drawn but not yet trained,
    with their loss weights, and the position in the epoch; after a resume
    they are yielded again before anything new is drawn, so the resumed
    stream equals the uninterrupted one under epoch- and iteration-based
    loops. It also keeps a fingerprint of the training set
    (:mod:`.fingerprint`): a resume on other images is refused.

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
        smoothing, mode, rescale: deprecated (0.1's spelling): keys of
            ``policy=dict(type='importance', ...)``.

    Raises:
        ValueError: ``batch_size < 1``, an empty dataset, a bad policy or
            score argument; a score that can be negative (RHO) with a
            policy that does not take signed scores (importance draws
            need ``rescale='minmax'``).
        KeyError: an unknown policy, heuristic or reduction.
    """

    #: batches drawn and not yet trained beyond which the hook is missing
    #: (a DataLoader prefetches num_workers x prefetch_factor)
    MAX_IN_FLIGHT = 1024

    def __init__(self,
                 dataset: Sequence,
                 batch_size: int,
                 policy: Optional[dict] = None,
                 score: Optional[dict] = None,
                 seed: Optional[int] = None,
                 init_score: float = 1.0,
                 **deprecated) -> None:
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        self.policy_cfg = dict(policy or dict(type='importance'))
        for key in list(deprecated):
            if key not in DEPRECATED_POLICY_KEYS:
                raise TypeError(f'ImportanceSampler got an unexpected '
                                f'argument {key!r}')
            warn_deprecated(f'train_dataloader.sampler.{key}',
                            f"sampler.policy=dict(type='importance', "
                            f'{key}=...)')
            self.policy_cfg[key] = deprecated.pop(key)
        self.score_cfg = None if score is None else dict(score)
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset  # mmdet's AspectRatioBatchSampler reads it
        self.num_images = len(dataset)
        self.batch_size = batch_size
        self.global_batch = batch_size * self.world_size
        self.seed = sync_random_seed() if seed is None else seed
        self.table = ScoreTable(self.num_images, init_score)
        self.draw_counts = np.zeros(self.num_images, np.uint32)
        # global batch at which each image was last drawn (-1: never)
        self.last_drawn = np.full(self.num_images, -1, np.int32)
        self.rng = np.random.Generator(np.random.PCG64(self.seed))
        self.batches_drawn = 0
        self.batches_yielded = 0
        self.num_rejected_updates = 0
        self.draw_seconds = 0.0  # wall time spent in next_global_batch
        self._ages = [0.0, 0]  # sum and count of score ages since diagnostics
        self._in_flight: deque = deque()  # (batch, weights), not trained
        self._replay: deque = deque()  # in flight at the checkpoint resumed
        self._identities = None
        self._build()

    def _build(self) -> None:
        """Build the policy and the score from their configs."""
        cfg = dict(self.policy_cfg)
        lookup(POLICIES, cfg.get('type'), 'train_dataloader.sampler.policy')
        try:
            self.policy = build(POLICIES, cfg)
        except TypeError as e:
            raise ValueError(f'train_dataloader.sampler.policy {cfg}: {e}')
        self.policy.bind(self)
        score = dict(self.score_cfg or self.policy.default_score)
        score.setdefault('type', 'ImageScore')
        self.score = build(IMAGE_SCORES, score)
        if getattr(self.score, 'signed', False) and \
                not self.policy.signed_scores:
            raise ValueError(
                f'the score {score} can be negative (RHO, eq. 4.6) but the '
                f'policy {cfg} takes non-negative scores only: set '
                "sampler.policy=dict(type='importance', rescale='minmax')")
        if hasattr(self.score, 'bind'):
            self.score.bind(self.dataset)
        self.iters_per_epoch = self.policy.iters_per_epoch()

    def configure(self, score: Optional[dict] = None,
                  **policy_options) -> None:
        """Set the score or policy options before training: the hook's
        deprecated keys (``heuristic``, ``unbiased``, ...) reach the
        sampler here.

        Raises:
            ValueError: the score is set in both the sampler's config and
                the hook's; a policy option the policy does not take.
            RuntimeError: the sampler has drawn already.
        """
        if self.batches_drawn:
            raise RuntimeError('ImportanceSampler.configure after drawing')
        if score is not None:
            if self.score_cfg is not None:
                raise ValueError(
                    f'the score is set twice: sampler.score={self.score_cfg}'
                    f' and ImportanceSamplingHook {score}; keep '
                    'sampler.score only')
            self.score_cfg = dict(score)
        self.policy_cfg.update(policy_options)
        self._build()

    # -- the stream ----------------------------------------------------------
    def __len__(self) -> int:
        """Indices this rank yields per epoch: ``iters_per_epoch * batch``."""
        return self.iters_per_epoch * self.batch_size

    def set_epoch(self, epoch: int) -> None:
        """No-op: the stream continues across epochs (called by
        mmengine's DistSamplerSeedHook)."""

    def __iter__(self) -> Iterator[int]:
        """This rank's indices up to the end of the current epoch (a whole
        epoch unless resumed in the middle of one), as
        :class:`~.drawn_index.DrawnIndex` (an ``int`` with the seed of its
        draw).

        Raises:
            RuntimeError: the batches yielded are never marked trained (no
                ImportanceSamplingHook): a new epoch would start with the
                whole last epoch in flight, or more than
                ``MAX_IN_FLIGHT`` batches are in flight.
        """
        if self._in_flight and len(self._in_flight) >= self.iters_per_epoch:
            raise RuntimeError(self._no_hook_message())
        left = self.iters_per_epoch - self.batches_yielded % \
            self.iters_per_epoch
        for _ in range(left):
            if len(self._in_flight) > self.MAX_IN_FLIGHT:
                raise RuntimeError(self._no_hook_message())
            drawn = (self._replay.popleft() if self._replay else
                     self.next_global_batch())
            self._in_flight.append(drawn)
            first = self.batches_yielded * self.global_batch + \
                self.rank * self.batch_size
            self.batches_yielded += 1
            batch = self.rank_slice(drawn[0])
            seeds = self.draw_seeds(first + np.arange(len(batch)))
            yield from map(DrawnIndex, batch.tolist(), seeds.tolist())

    def _no_hook_message(self) -> str:
        return (f'{type(self).__name__}: {len(self._in_flight)} batches were '
                'drawn and never marked trained, so no score reaches the '
                'sampler: add dict(type=\'ImportanceSamplingHook\') to '
                'custom_hooks (the sampler does not work without it)')

    def draw_seeds(self, positions: np.ndarray) -> np.ndarray:
        """The seeds of the draws at ``positions`` of the stream (global
        batch number x global batch + slot): SplitMix64 (Steele et al.,
        OOPSLA 2014) of the sampler's seed and the position, ``(k,)``
        uint64. What :class:`~mmdet_is.datasets.SeedAugmentation` seeds the
        pipeline with."""
        with np.errstate(over='ignore'):
            z = np.uint64(self.seed) * np.uint64(0x9E3779B97F4A7C15) + \
                np.asarray(positions, np.uint64)
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            return z ^ (z >> np.uint64(31))

    def rank_slice(self, batch: np.ndarray) -> np.ndarray:
        """This rank's contiguous part of a ``(global_batch,)`` batch."""
        lo = self.rank * self.batch_size
        return batch[lo:lo + self.batch_size]

    def next_global_batch(self):
        """Draw the next global batch from the policy: ``(G,)`` int64
        indices and ``(G,)`` float64 loss weights."""
        t0 = time.perf_counter()
        batch, weights = self.policy.next_batch()
        seen = self.last_drawn[batch]
        seen = seen[seen >= 0]
        self._ages[0] += float((self.batches_drawn - seen).sum())
        self._ages[1] += len(seen)
        self.last_drawn[batch] = self.batches_drawn
        self.batches_drawn += 1
        np.add.at(self.draw_counts, batch, 1)
        self.draw_seconds += time.perf_counter() - t0
        return batch, np.asarray(weights, np.float64)

    # -- what the hook asks ------------------------------------------------
    @property
    def weighted(self) -> bool:
        """Whether the policy gives loss weights other than 1 (the head
        must apply ``importance_weight``)."""
        return self.policy.weighted

    def set_run_length(self, max_iters: int) -> None:
        """The iterations of the run (the hook sets it before training),
        for the policy's schedules (annealing, a final phase)."""
        self.policy.set_run_length(max_iters)

    def next_to_train(self):
        """``(batch, weights)`` of the oldest batch in flight, the one the
        next training step receives: ``(G,)`` int64 indices and ``(G,)``
        float64 loss weights.

        Raises:
            RuntimeError: no batch is in flight (the batches reaching the
                model do not come from this sampler's iterator).
        """
        return self._oldest_in_flight(pop=False)

    def pop_trained(self) -> np.ndarray:
        """The oldest global batch yielded and not yet trained: ``(G,)``
        int64 dataset indices (the indices drawn, whatever the dataset maps
        them to).

        Raises:
            RuntimeError: as :meth:`next_to_train`.
        """
        return self._oldest_in_flight(pop=True)[0]

    def _oldest_in_flight(self, pop: bool):
        if not self._in_flight:
            raise RuntimeError(
                'ImportanceSampler: a training step ran on a batch this '
                'sampler did not yield (no batch in flight)')
        return self._in_flight.popleft() if pop else self._in_flight[0]

    def at_epoch_end(self) -> bool:
        """True after the last step of an epoch, every batch trained: the
        next epoch's plan reads every score of this one."""
        return not self._in_flight and \
            self.batches_yielded % self.iters_per_epoch == 0

    def epoch_images(self) -> Optional[np.ndarray]:
        """The images the policy planned for the current epoch (``(K,)``
        indices), or None (importance draws plan no epoch)."""
        return self.policy.epoch_images()

    def score_batch(self, ingredients: dict, indices: np.ndarray) -> dict:
        """This step's images scored by the sampler's score config.

        Args:
            ingredients: a head's per-location ingredients, ``(B, P)``
                tensors (:mod:`mmdet_is.models.utils.importance_ingredients`).
            indices: ``(B,)`` the dataset indices of those images.

        Returns:
            dict of ``(B,)`` tensors: ``score`` and its parts.
        """
        return self.score(ingredients, indices)

    def update(self, indices, scores) -> int:
        """Replace the scores of ``indices`` (dataset indices) by ``scores``.

        Non-finite scores, scores beyond ``+-MAX_SCORE`` (1e30: a float32
        table would hold inf) and negative ones unless the policy takes
        signed scores are not written: the old score stays and the count
        ``num_rejected_updates`` grows.

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
        ok = (np.abs(val) <= MAX_SCORE) & (
            (val >= 0) | self.policy.signed_scores)
        self.table.update(idx[ok], val[ok].astype(np.float32))
        rejected = int((~ok).sum())
        self.num_rejected_updates += rejected
        return rejected

    def diagnostics(self, quantiles=(0.0, 0.5, 0.9, 0.99, 1.0),
                    max_points: int = 1_000_000) -> Dict[str, float]:
        """What a user needs to trust the sampler, O(N).

        Returns:
            dict: ``coverage`` = fraction of images drawn at least once,
            ``not_drawn_last_epoch`` = fraction of images not drawn in the
            last ``iters_per_epoch`` global batches, ``rejected_updates``,
            ``score_q<q>`` score quantiles (estimated on an evenly strided
            subset of at most ``max_points`` images), ``score_age`` = mean
            number of global batches since each image drawn since the last
            call was drawn before (left out when none was), and the
            policy's (:meth:`~.policies.BasePolicy.diagnostics`).
        """
        n = self.num_images
        stats = dict(
            coverage=float(np.count_nonzero(self.draw_counts)) / n,
            not_drawn_last_epoch=float(np.count_nonzero(
                self.last_drawn < self.batches_drawn - self.iters_per_epoch))
            / n,
            rejected_updates=float(self.num_rejected_updates))
        step = max(1, n // max_points)
        values = np.quantile(self.table[slice(None, None, step)], quantiles)
        for q, v in zip(quantiles, values):
            stats[f'score_q{int(round(q * 100))}'] = float(v)
        ages, self._ages = self._ages, [0.0, 0]
        if ages[1]:
            stats['score_age'] = ages[0] / ages[1]
        stats.update(self.policy.diagnostics())
        return stats

    # -- checkpoint ----------------------------------------------------------
    def _dataset_identities(self):
        if self._identities is None:
            self._identities = dataset_identities(self.dataset)
        return self._identities

    def state_dict(self) -> dict:
        """Everything needed to continue the exact same stream: tensors and
        plain Python values only (loadable with torch's
        ``weights_only=True``)."""
        rng = self.rng.bit_generator.state
        in_flight = list(self._in_flight) + list(self._replay)
        identities = self._dataset_identities()
        return dict(
            format=STATE_FORMAT,
            policy_type=str(self.policy_cfg['type']),
            policy=self.policy.state_dict(),
            dataset=None if identities is None else fingerprint(identities),
            num_images=self.num_images,
            global_batch=self.global_batch,
            scores=torch.from_numpy(self.table[:].copy()),
            draw_counts=torch.from_numpy(self.draw_counts.astype(np.int64)),
            last_drawn=torch.from_numpy(self.last_drawn.copy()),
            rng_state=str(rng['state']['state']),
            rng_inc=str(rng['state']['inc']),
            rng_has_uint32=int(rng['has_uint32']),
            rng_uinteger=int(rng['uinteger']),
            batches_drawn=self.batches_drawn,
            num_rejected_updates=self.num_rejected_updates,
            # drawn, not yet trained: yielded first after a resume, with
            # their loss weights
            in_flight=[torch.from_numpy(b.copy()) for b, _ in in_flight],
            in_flight_weights=[torch.from_numpy(w.copy())
                               for _, w in in_flight],
            batches_trained=self.batches_yielded - len(self._in_flight))

    def load_state_dict(self, state: dict) -> None:
        """Restore :meth:`state_dict`.

        Raises:
            ValueError: a checkpoint of mmdet_is 0.1 (another format); of
                another policy; of another training set (its fingerprint),
                data set length or global batch size; one holding scores
                that are not finite.
        """
        if state.get('format') != STATE_FORMAT:
            raise ValueError(
                'cannot resume ImportanceSampler: the checkpoint holds its '
                'state in the format of mmdet_is 0.1 (the sampler and the '
                'hook have since split what they own); resume it with '
                'mmdet_is 0.1, or start the sampler afresh with '
                'load_from=CHECKPOINT (weights only) instead of --resume')
        if state['policy_type'] != str(self.policy_cfg['type']):
            raise ValueError(
                f'cannot resume ImportanceSampler: the checkpoint was written '
                f'with policy {state["policy_type"]!r}, this run has '
                f'{self.policy_cfg["type"]!r}; start the run afresh')
        if state['num_images'] != self.num_images:
            raise ValueError(
                f'cannot resume ImportanceSampler: the checkpoint holds '
                f'scores for {state["num_images"]} images but the training '
                f'set has {self.num_images}')
        if state['global_batch'] != self.global_batch:
            raise ValueError(
                f'cannot resume ImportanceSampler: the checkpoint was written '
                f'with a global batch of {state["global_batch"]} images, this '
                f'run has {self.global_batch} (batch_size x world_size)')
        identities = self._dataset_identities()
        if state['dataset'] is not None and identities is not None:
            check_same_dataset(state['dataset'], identities)
        scores = state['scores'].numpy().astype(np.float32)
        if not (np.abs(scores) <= MAX_SCORE).all():
            raise ValueError(
                'cannot resume ImportanceSampler: the checkpoint holds '
                f'{int((~(np.abs(scores) <= MAX_SCORE)).sum())} scores that '
                'are not finite or beyond +-MAX_SCORE (a damaged checkpoint)')
        self.policy.load_state_dict(state['policy'])
        self.table.scores[:self.num_images] = scores
        self.table.rebuild()
        self.draw_counts = state['draw_counts'].numpy().astype(np.uint32)
        self.last_drawn = state['last_drawn'].numpy().astype(np.int32)
        self.rng.bit_generator.state = dict(
            bit_generator='PCG64',
            state=dict(state=int(state['rng_state']),
                       inc=int(state['rng_inc'])),
            has_uint32=state['rng_has_uint32'],
            uinteger=state['rng_uinteger'])
        self.batches_drawn = state['batches_drawn']
        self.num_rejected_updates = state['num_rejected_updates']
        self._in_flight = deque()
        self._replay = deque(
            (b.numpy().copy(), w.numpy().copy())
            for b, w in zip(state['in_flight'], state['in_flight_weights']))
        self.batches_yielded = state['batches_trained']


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
