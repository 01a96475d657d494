"""ImportanceSampler: draws training images with probability from their scores.

Source: thesis (Huang & Kvernes 2023) section 4.2, eq. 4.2 (p_i = s_i / S),
eq. 4.3 (smoothing), eq. 4.6 (RHO's min-max rescaling), Algorithm 5
(rejection-based sampling); method.md
section 2 for the decisions (first random-permutation pass, fixed epoch
length).
"""
import math
import time
from collections import deque
from typing import Dict, Iterator, Optional, Sequence

import numpy as np
import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmdet.registry import DATA_SAMPLERS
from .drawn_index import DrawnIndex
from .score_table import MAX_SCORE, ScoreTable
from .unbiased import importance_weights

MODES = ('multinomial', 'rejection')
RESCALES = (None, 'minmax')


def rejection_rule(q_active: np.ndarray, q_candidate: np.ndarray,
                   u: np.ndarray) -> np.ndarray:
    """Algorithm 5 (thesis 4.2.7): True where the candidate is rejected.

    Rejected when ``q(x_a) > 2 q(x_c)`` or ``q(x_c) < u (q(x_c) + q(x_a))``.

    Args:
        q_active, q_candidate: ``(k,)`` (unnormalised) probabilities of the
            active and the candidate image of each batch slot.
        u: ``(k,)`` uniform numbers in ``[0, 1)``.
    """
    return (q_active > 2 * q_candidate) | (
        q_candidate < u * (q_candidate + q_active))


@DATA_SAMPLERS.register_module()
class ImportanceSampler(Sampler):
    """Sample with replacement, ``p_i ∝ s_i + smoothing`` (eqs. 4.2, 4.3).

    The first ``ceil(N / global_batch)`` global batches are one random
    permutation of the data set (wrapped to fill the last batch), so every
    image is trained on, and scored, once. After it every global batch is
    drawn from the scores:

    * ``mode='multinomial'``: ``global_batch`` independent draws with
      ``p_i = (s_i + c) / (S + N c)``, ``c = S / N^2`` (eq. 4.3) when
      ``smoothing`` else 0.
    * ``rescale='minmax'`` (RHO, eq. 4.6): the scores may be negative and
      are rescaled before eq. 4.2, ``s_hat_i = (s_i - min s) / (max s -
      min s)``. The factor ``1 / (max s - min s)`` cancels in eq. 4.2
      (smoothing included, it is proportional to the scores), so draws use
      ``s_i - min s`` directly, and a table with all scores equal is uniform.
    * ``mode='rejection'`` (Algorithm 5): every slot of the global batch keeps
      the image ``x_a`` it held last iteration; a candidate ``x_c`` drawn as
      above replaces it unless ``q(x_a) > 2 q(x_c)`` or
      ``q(x_c) < u (q(x_c) + q(x_a))``, ``u ~ U(0, 1)``. The last batch of the
      permutation pass is the first set of active images.

    Distributed: every rank holds the same table (the hook gathers each
    step's scores from all ranks) and the same random stream (one shared
    seed), draws the same global batch of ``batch_size * world_size`` images
    and takes its own contiguous slice, so the effective batch is
    ``batch_size * world_size`` as with mmengine's DefaultSampler.

    The epoch length is fixed at ``ceil(N / (batch_size * world_size))``
    iterations, so validation, logging and checkpoints stay regular.

    Annealing (``uniform_mix = lam``, set by the hook from its schedule):
    draws follow ``q_i = (1 - lam) p_i + lam / N`` (with ``lam = 1``:
    uniform with replacement). Every batch keeps the probability ``q_i``
    each of its images was drawn with (``1 / N`` in the permutation pass),
    for unbiased loss weights ``1 / (N q_i)`` (Katharopoulos & Fleuret 2018).

    Batches in flight: DataLoader workers prefetch, so the sampler draws
    ahead of training. Every yielded global batch waits in a queue until the
    hook takes it (:meth:`pop_trained`) after the step that trained it; the
    hook scores exactly the indices drawn (also through dataset wrappers, whose
    ``sample_idx`` is the inner dataset's). A checkpoint keeps the batches
    drawn but not yet trained and the position in the epoch; after a resume
    they are yielded again before anything new is drawn, so the resumed
    stream equals the uninterrupted one under epoch- and iteration-based
    loops. Rejection mode's active images are those of the last batch
    *drawn*, which leads the trained one by the batches in flight
    (``num_workers x prefetch_factor``; none without workers).

    Args:
        dataset: the training set (only its length is used).
        batch_size (int): images per GPU per iteration; must equal the
            dataloader's ``batch_size`` (the hook checks).
        seed (int | None): shared random seed; ``None`` syncs a random one.
        smoothing (bool): add ``c = S / N^2`` to every score (eq. 4.3).
        mode (str): ``'multinomial'`` or ``'rejection'``.
        init_score (float): score of images not yet scored.
        rescale (str | None): ``'minmax'`` for RHO scores (eq. 4.6).

    Raises:
        ValueError: unknown ``mode`` or ``rescale``, ``batch_size < 1``, an
            empty dataset.
    """

    #: batches drawn and not yet trained beyond which the hook is missing
    #: (a DataLoader prefetches num_workers x prefetch_factor)
    MAX_IN_FLIGHT = 1024

    def __init__(self,
                 dataset: Sequence,
                 batch_size: int,
                 seed: Optional[int] = None,
                 smoothing: bool = True,
                 mode: str = 'multinomial',
                 init_score: float = 1.0,
                 rescale: Optional[str] = None) -> None:
        if mode not in MODES:
            raise ValueError(f'ImportanceSampler mode must be one of {MODES}, '
                             f'got {mode!r}')
        if rescale not in RESCALES:
            raise ValueError(f'ImportanceSampler rescale must be one of '
                             f'{RESCALES}, got {rescale!r}')
        self.rescale = rescale
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset  # mmdet's AspectRatioBatchSampler reads it
        self.num_images = len(dataset)
        self.batch_size = batch_size
        self.global_batch = batch_size * self.world_size
        self.iters_per_epoch = math.ceil(self.num_images / self.global_batch)
        self.smoothing = smoothing
        self.mode = mode
        self.seed = sync_random_seed() if seed is None else seed
        self.table = ScoreTable(self.num_images, init_score)
        self.draw_counts = np.zeros(self.num_images, np.uint32)
        # global batch at which each image was last drawn (-1: never)
        self.last_drawn = np.full(self.num_images, -1, np.int32)
        self.uniform_mix = 0.0
        self._ages = [0.0, 0]  # sum and count of score ages since diagnostics
        self.rng = np.random.Generator(np.random.PCG64(self.seed))
        self.batches_drawn = 0
        self.num_rejected_updates = 0
        self.draw_seconds = 0.0  # wall time spent in next_global_batch
        self._first_pass: Optional[np.ndarray] = None
        self._active: Optional[np.ndarray] = None
        self._in_flight: deque = deque()  # (batch, q), yielded, not trained
        self._replay: deque = deque()  # in flight at the checkpoint resumed
        self.batches_yielded = 0

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
            if self._replay:
                drawn = self._replay.popleft()
            else:
                drawn = (self.next_global_batch(), self._last_probs)
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
                'sampler: add dict(type=\'ImportanceSamplingHook\', '
                'heuristic=...) to custom_hooks (the sampler does not work '
                'without it)')

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

    def loss_weights(self, q: np.ndarray, **unbiased):
        """Unbiased loss weights ``1 / (N q_i)`` of a global batch drawn
        with probabilities ``q`` (:func:`~.unbiased.importance_weights`;
        ``unbiased``: its ``max_weight`` and ``normalize``): ``(G,)``
        float64 and the number clipped."""
        return importance_weights(q, self.num_images, **unbiased)

    @property
    def weights_loss(self) -> bool:
        """False: importance sampling weights the loss only when the hook
        asks for unbiased weights."""
        return False

    def pop_trained(self) -> np.ndarray:
        """The oldest global batch yielded and not yet trained:
        ``(batch_size * world_size,)`` int64 dataset indices (the indices the
        sampler drew, whatever the dataset maps them to).

        Raises:
            RuntimeError: no batch is in flight (the batches reaching the
                model do not come from this sampler's iterator).
        """
        return self._oldest_in_flight(pop=True)[0]

    def next_to_train(self):
        """``(batch, q)`` of the oldest batch in flight, the one the next
        training step receives: ``(batch_size * world_size,)`` int64 indices
        and float64 probabilities each was drawn with.

        Raises:
            RuntimeError: as :meth:`pop_trained`.
        """
        return self._oldest_in_flight(pop=False)

    def _oldest_in_flight(self, pop: bool):
        if not self._in_flight:
            raise RuntimeError(
                'ImportanceSampler: a training step ran on a batch this '
                'sampler did not yield (no batch in flight)')
        return self._in_flight.popleft() if pop else self._in_flight[0]

    # -- drawing ---------------------------------------------------------
    def offset(self) -> float:
        """``m`` subtracted from every score: ``min s`` with
        ``rescale='minmax'`` (eq. 4.6), else 0."""
        return self.table.min() if self.rescale == 'minmax' else 0.0

    def weight_total(self, offset: float) -> float:
        """``S_m = sum_i (s_i - m)``."""
        return self.table.total - offset * self.num_images

    def smoothing_value(self, offset: Optional[float] = None) -> float:
        """``c = (1 / N^2) sum_i (s_i - m)`` (eq. 4.3), or 0 without
        smoothing."""
        if not self.smoothing:
            return 0.0
        if offset is None:
            offset = self.offset()
        return self.weight_total(offset) / self.num_images**2

    def draw(self, k: int, m: Optional[float] = None) -> np.ndarray:
        """``k`` i.i.d. indices with ``p_i = (s_i - m + c) / (S_m + N c)``
        (``m``: :meth:`offset` unless given)."""
        if m is None:
            m = self.offset()
        total, c = self.weight_total(m), self.smoothing_value(m)
        mass = total + c * self.num_images
        if mass <= 0:  # every score 0 and no smoothing: uniform
            return self.rng.integers(self.num_images, size=k)
        u = self.rng.random(k) * mass
        from_table = u < total
        out = np.empty(k, np.int64)
        out[from_table] = self.table.sample(u[from_table], m)
        if (~from_table).any():  # the smoothing mass: uniform over images
            out[~from_table] = np.minimum(
                ((u[~from_table] - total) / c).astype(np.int64),
                self.num_images - 1)
        if self.uniform_mix > 0:  # annealing: q = (1 - lam) p + lam / N
            mix = self.rng.random(k) < self.uniform_mix
            out[mix] = self.rng.integers(self.num_images,
                                         size=int(mix.sum()))
        return out

    def draw_probability(self, idx: np.ndarray,
                         m: Optional[float] = None) -> np.ndarray:
        """``q_i = (1 - lam) p_i + lam / N`` of images ``idx``: the
        probability :meth:`draw` gives each (``lam``: ``uniform_mix``)."""
        if m is None:
            m = self.offset()
        n = self.num_images
        mass = self.weight_total(m) + self.smoothing_value(m) * n
        p = self.q(idx, m) / mass if mass > 0 else np.full(len(idx), 1 / n)
        return (1 - self.uniform_mix) * p + self.uniform_mix / n

    def q(self, idx: np.ndarray, m: Optional[float] = None) -> np.ndarray:
        """Unnormalised probability ``s_i - m + c`` of images ``idx``
        (``m``: :meth:`offset` unless given)."""
        if m is None:
            m = self.offset()
        return self.table[idx].astype(np.float64) - m + \
            self.smoothing_value(m)

    def probabilities(self) -> np.ndarray:
        """``(N,)`` float64 sampling probabilities after the first pass,
        O(N) (for analysis; draws never build this)."""
        q = self.q(slice(None))
        return q / q.sum() if q.sum() > 0 else np.full_like(
            q, 1 / self.num_images)

    def _rejection_step(self, active: np.ndarray, m: float) -> np.ndarray:
        candidates = self.draw(len(active), m)
        u = self.rng.random(len(active))
        reject = rejection_rule(self.q(active, m), self.q(candidates, m), u)
        return np.where(reject, active, candidates)

    def next_global_batch(self) -> np.ndarray:
        """Draw the next global batch, ``(batch_size * world_size,)`` int64;
        what each image was drawn with is then ``_last_probs``
        (:meth:`draw_global_batch`)."""
        t0 = time.perf_counter()
        batch, self._last_probs = self.draw_global_batch()
        seen = self.last_drawn[batch]
        seen = seen[seen >= 0]
        self._ages[0] += float((self.batches_drawn - seen).sum())
        self._ages[1] += len(seen)
        self.last_drawn[batch] = self.batches_drawn
        self.batches_drawn += 1
        self._active = batch
        np.add.at(self.draw_counts, batch, 1)
        self.draw_seconds += time.perf_counter() - t0
        return batch

    def draw_global_batch(self):
        """The indices of the next global batch and the probability each
        was drawn with: two ``(batch_size * world_size,)`` arrays, int64
        and float64 (``1 / N`` in the permutation pass; Algorithm 5's
        acceptance is not part of it)."""
        n = self.num_images
        if self.batches_drawn < self.iters_per_epoch:
            if self._first_pass is None:
                perm = self.rng.permutation(self.num_images)
                size = self.iters_per_epoch * self.global_batch
                self._first_pass = np.resize(perm, size)  # wraps around
            k = self.batches_drawn * self.global_batch
            batch = self._first_pass[k:k + self.global_batch]
            if self.batches_drawn == self.iters_per_epoch - 1:
                self._first_pass = None
            return batch, np.full(len(batch), 1 / n)
        m = self.offset()  # one O(N / BLOCK) minimum per step
        batch = (self._rejection_step(self._active, m)
                 if self.mode == 'rejection' else
                 self.draw(self.global_batch, m))
        return batch, self.draw_probability(batch, m)

    # -- scores ------------------------------------------------------------
    def update(self, indices, scores) -> int:
        """Replace the scores of ``indices`` (dataset indices) by ``scores``.

        Non-finite scores, scores beyond ``+-MAX_SCORE`` (1e30: a float32
        table would hold inf) and negative ones unless ``rescale`` is set,
        are not written: the old score stays and the count
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
        ok = (np.abs(val) <= MAX_SCORE) & ((val >= 0) |
                                           (self.rescale is not None))
        self.table.update(idx[ok], val[ok].astype(np.float32))
        rejected = int((~ok).sum())
        self.num_rejected_updates += rejected
        return rejected

    def diagnostics(self, quantiles=(0.0, 0.5, 0.9, 0.99, 1.0),
                    max_points: int = 1_000_000) -> Dict[str, float]:
        """What a user needs to trust the sampler, O(N).

        Returns:
            dict: ``ess_fraction`` = ``1 / (N sum q^2)`` of the sampling
            distribution ``q`` (annealing included; 1 = uniform),
            ``coverage`` = fraction of images drawn at least once,
            ``not_drawn_last_epoch`` = fraction of images not drawn in the
            last ``iters_per_epoch`` global batches, ``score_age`` = mean
            number of global batches since each image drawn since the last
            call was drawn before (the age of its score, up to the batches
            in flight; left out when no such image was drawn),
            ``uniform_mix``, ``score_q<q>`` score
            quantiles (estimated on an evenly strided subset of at most
            ``max_points`` images), ``rejected_updates``.
        """
        n, m = self.num_images, self.offset()
        c, total = self.smoothing_value(m), self.weight_total(m)
        sum_p = total + n * c
        sum_p2 = self.table.sum_of_squares(m) + 2 * c * total + n * c * c
        lam = self.uniform_mix
        # sum q^2 with q = (1 - lam) p + lam / N and sum p = 1
        sum_q2 = ((1 - lam)**2 * sum_p2 / sum_p**2 + (2 - lam) * lam / n
                  if sum_p2 > 0 else 1 / n)
        ages, self._ages = self._ages, [0.0, 0]
        stats = self.common_diagnostics(quantiles, max_points)
        stats.update(ess_fraction=1 / (n * sum_q2), uniform_mix=lam)
        if ages[1]:
            stats['score_age'] = ages[0] / ages[1]
        return stats

    def common_diagnostics(self, quantiles, max_points: int) -> dict:
        """``coverage``, ``not_drawn_last_epoch``, ``rejected_updates`` and
        the ``score_q<q>`` quantiles of :meth:`diagnostics`."""
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
        return stats

    # -- checkpoint ----------------------------------------------------------
    def state_dict(self) -> dict:
        """Everything needed to continue the exact same stream.

        Tensors and plain Python values only (loadable with torch's
        ``weights_only=True``).
        """
        rng = self.rng.bit_generator.state
        return dict(
            num_images=self.num_images,
            global_batch=self.global_batch,
            scores=torch.from_numpy(self.table[:].copy()),
            draw_counts=torch.from_numpy(
                self.draw_counts.astype(np.int64)),
            rng_state=str(rng['state']['state']),
            rng_inc=str(rng['state']['inc']),
            rng_has_uint32=int(rng['has_uint32']),
            rng_uinteger=int(rng['uinteger']),
            batches_drawn=self.batches_drawn,
            num_rejected_updates=self.num_rejected_updates,
            first_pass=None if self._first_pass is None else torch.from_numpy(
                self._first_pass.copy()),
            last_drawn=torch.from_numpy(self.last_drawn.copy()),
            uniform_mix=float(self.uniform_mix),
            # drawn, not yet trained: yielded first after a resume, with the
            # probabilities they were drawn with
            in_flight=[torch.from_numpy(b.copy())
                       for b, _ in list(self._in_flight) + list(self._replay)],
            in_flight_probs=[
                torch.from_numpy(q.copy())
                for _, q in list(self._in_flight) + list(self._replay)],
            batches_trained=self.batches_yielded - len(self._in_flight),
            active=None if self._active is None else torch.from_numpy(
                self._active.copy()))

    def load_state_dict(self, state: dict) -> None:
        """Restore :meth:`state_dict`.

        Raises:
            ValueError: the checkpoint was written for a data set of another
                length or another global batch size.
        """
        if state['num_images'] != self.num_images:
            raise ValueError(
                f'cannot resume ImportanceSampler: the checkpoint holds scores '
                f'for {state["num_images"]} images but the training set has '
                f'{self.num_images}')
        if state['global_batch'] != self.global_batch:
            raise ValueError(
                f'cannot resume ImportanceSampler: the checkpoint was written '
                f'with a global batch of {state["global_batch"]} images, this '
                f'run has {self.global_batch} (batch_size x world_size)')
        scores = state['scores'].numpy().astype(np.float32)
        if not (np.abs(scores) <= MAX_SCORE).all():
            raise ValueError(
                'cannot resume ImportanceSampler: the checkpoint holds '
                f'{int((~(np.abs(scores) <= MAX_SCORE)).sum())} scores that '
                'are not finite or beyond +-MAX_SCORE (a damaged checkpoint)')
        self.table.scores[:self.num_images] = scores
        self.table.rebuild()
        self.draw_counts = state['draw_counts'].numpy().astype(np.uint32)
        self.rng.bit_generator.state = dict(
            bit_generator='PCG64',
            state=dict(state=int(state['rng_state']),
                       inc=int(state['rng_inc'])),
            has_uint32=state['rng_has_uint32'],
            uinteger=state['rng_uinteger'])
        self.batches_drawn = state['batches_drawn']
        self.num_rejected_updates = state['num_rejected_updates']
        self._first_pass = None if state['first_pass'] is None else state[
            'first_pass'].numpy().copy()
        self._active = None if state['active'] is None else state[
            'active'].numpy().copy()
        self._in_flight = deque()
        batches = state.get('in_flight', [])
        probs = state.get('in_flight_probs',
                          [torch.full((len(b), ), 1 / self.num_images,
                                      dtype=torch.float64) for b in batches])
        self._replay = deque((b.numpy().copy(), q.numpy().copy())
                             for b, q in zip(batches, probs))
        if 'last_drawn' in state:
            self.last_drawn = state['last_drawn'].numpy().astype(np.int32)
        self.uniform_mix = state.get('uniform_mix', 0.0)
        self.batches_yielded = state.get('batches_trained',
                                         self.batches_drawn)
