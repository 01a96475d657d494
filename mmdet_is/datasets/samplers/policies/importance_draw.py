"""Importance sampling: draw images with probability from their scores.

Source: thesis (Huang & Kvernes 2023) section 4.2, eq. 4.2 (``p_i = s_i /
S``), eq. 4.3 (smoothing), eq. 4.6 (RHO's min-max rescaling), Algorithm 5
(rejection-based sampling); unbiased weights after Katharopoulos & Fleuret
(ICML 2018); annealing to uniform after InfoBatch (Qin et al., ICLR 2024).
Decisions where the thesis is silent (the first random-permutation pass):
docs/guide/09_decisions.md.
"""
from typing import Dict, Optional

import numpy as np
import torch

from ....registry import POLICIES
from ..unbiased import anneal_lambda, importance_weights
from .base import BasePolicy

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


@POLICIES.register_module(name='importance')
class ImportanceDraw(BasePolicy):
    """Sample with replacement, ``p_i ∝ s_i + smoothing`` (eqs. 4.2, 4.3).

    The first ``ceil(N / G)`` global batches are one random permutation of
    the data set (wrapped to fill the last batch), so every image is
    trained on, and scored, once. After it every global batch is drawn
    from the scores:

    * ``mode='multinomial'``: ``G`` independent draws with ``p_i = (s_i +
      c) / (S + N c)``, ``c = S / N^2`` (eq. 4.3) when ``smoothing`` else 0.
    * ``rescale='minmax'`` (RHO, eq. 4.6): the scores may be negative and
      are rescaled before eq. 4.2, ``s_hat_i = (s_i - min s) / (max s -
      min s)``. The factor ``1 / (max s - min s)`` cancels in eq. 4.2
      (smoothing included), so draws use ``s_i - min s`` directly, and a
      table with all scores equal is uniform.
    * ``mode='rejection'`` (Algorithm 5): every slot of the global batch
      keeps the image ``x_a`` it held last iteration; a candidate ``x_c``
      drawn as above replaces it unless ``q(x_a) > 2 q(x_c)`` or ``q(x_c) <
      u (q(x_c) + q(x_a))``, ``u ~ U(0, 1)``. The last batch of the
      permutation pass is the first set of active images; the active
      images are those of the last batch *drawn*, which leads the trained
      one by the batches in flight.

    Annealing (``anneal=dict(begin, end)``, fractions of the run): draws
    follow ``q_i = (1 - lam) p_i + lam / N`` with ``lam =``
    :func:`~..unbiased.anneal_lambda` of ``batches_drawn / max_iters``
    (``lam = 1``: uniform with replacement). Unbiased weights
    (``unbiased=dict(max_weight=10, normalize=True)``): each image's loss
    weight is ``1 / (N q_i)`` (:func:`~..unbiased.importance_weights`),
    ``q_i`` the probability it was drawn with (``1 / N`` in the
    permutation pass); without it every weight is 1.

    Args:
        smoothing (bool): add ``c = S / N^2`` to every score (eq. 4.3).
        mode (str): ``'multinomial'`` or ``'rejection'``.
        rescale (str | None): ``'minmax'`` for RHO scores (eq. 4.6).
        unbiased (dict | None): ``max_weight`` and ``normalize`` of the
            unbiased loss weights; None: no weights.
        anneal (dict | None): ``begin`` and ``end`` of the return to
            uniform, fractions of the run's iterations.

    Raises:
        ValueError: unknown ``mode`` or ``rescale``; a bad ``unbiased`` or
            ``anneal``; ``unbiased`` with ``mode='rejection'`` (Algorithm
            5's draws have no closed-form probability).
    """

    default_score = dict(heuristic='closeness')

    def __init__(self, smoothing: bool = True, mode: str = 'multinomial',
                 rescale: Optional[str] = None,
                 unbiased: Optional[dict] = None,
                 anneal: Optional[dict] = None) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"importance policy mode must be one of {MODES}"
                             f', got {mode!r}')
        if rescale not in RESCALES:
            raise ValueError(f'importance policy rescale must be one of '
                             f'{RESCALES}, got {rescale!r}')
        if unbiased is not None and mode == 'rejection':
            raise ValueError(
                "importance policy unbiased: Algorithm 5 (mode='rejection') "
                "draws with no closed-form probability; use "
                "mode='multinomial'")
        self.smoothing, self.mode, self.rescale = smoothing, mode, rescale
        self.unbiased = None if unbiased is None else dict(unbiased)
        self.anneal = None if anneal is None else dict(anneal)
        if self.anneal is not None:
            anneal_lambda(0.0, **self.anneal)  # bad keys or values: now
        if self.unbiased is not None:
            importance_weights(np.ones(1), 1, **self.unbiased)
        self.weighted = self.unbiased is not None
        self.signed_scores = rescale is not None
        self.uniform_mix = 0.0
        self.num_clipped = 0
        self._first_pass: Optional[np.ndarray] = None
        self._active: Optional[np.ndarray] = None

    # -- the distribution --------------------------------------------------
    def offset(self) -> float:
        """``m`` subtracted from every score: ``min s`` with
        ``rescale='minmax'`` (eq. 4.6), else 0."""
        return self.sampler.table.min() if self.rescale == 'minmax' else 0.0

    def weight_total(self, offset: float) -> float:
        """``S_m = sum_i (s_i - m)``."""
        return self.sampler.table.total - offset * self.sampler.num_images

    def smoothing_value(self, offset: Optional[float] = None) -> float:
        """``c = (1 / N^2) sum_i (s_i - m)`` (eq. 4.3), or 0 without
        smoothing."""
        if not self.smoothing:
            return 0.0
        if offset is None:
            offset = self.offset()
        return self.weight_total(offset) / self.sampler.num_images**2

    def q(self, idx, m: Optional[float] = None) -> np.ndarray:
        """Unnormalised probability ``s_i - m + c`` of images ``idx``."""
        if m is None:
            m = self.offset()
        return self.sampler.table[idx].astype(np.float64) - m + \
            self.smoothing_value(m)

    def draw(self, k: int, m: Optional[float] = None) -> np.ndarray:
        """``k`` i.i.d. indices with ``q_i = (1 - lam) p_i + lam / N``,
        ``p_i = (s_i - m + c) / (S_m + N c)`` (``m``: :meth:`offset`
        unless given; ``lam``: ``uniform_mix``)."""
        s = self.sampler
        if m is None:
            m = self.offset()
        total, c = self.weight_total(m), self.smoothing_value(m)
        mass = total + c * s.num_images
        if mass <= 0:  # every score 0 and no smoothing: uniform
            return s.rng.integers(s.num_images, size=k)
        u = s.rng.random(k) * mass
        from_table = u < total
        out = np.empty(k, np.int64)
        out[from_table] = s.table.sample(u[from_table], m)
        if (~from_table).any():  # the smoothing mass: uniform over images
            out[~from_table] = np.minimum(
                ((u[~from_table] - total) / c).astype(np.int64),
                s.num_images - 1)
        if self.uniform_mix > 0:  # annealing: q = (1 - lam) p + lam / N
            mix = s.rng.random(k) < self.uniform_mix
            out[mix] = s.rng.integers(s.num_images, size=int(mix.sum()))
        return out

    def draw_probability(self, idx: np.ndarray,
                         m: Optional[float] = None) -> np.ndarray:
        """``q_i`` of images ``idx``: the probability :meth:`draw` gives
        each."""
        if m is None:
            m = self.offset()
        n = self.sampler.num_images
        mass = self.weight_total(m) + self.smoothing_value(m) * n
        p = self.q(idx, m) / mass if mass > 0 else np.full(len(idx), 1 / n)
        return (1 - self.uniform_mix) * p + self.uniform_mix / n

    def probabilities(self) -> np.ndarray:
        """``(N,)`` float64 sampling probabilities after the first pass,
        O(N) (for analysis; draws never build this)."""
        q = self.q(slice(None))
        return q / q.sum() if q.sum() > 0 else np.full_like(
            q, 1 / self.sampler.num_images)

    # -- the batches --------------------------------------------------------
    def next_batch(self):
        """The next global batch and its loss weights (class docstring).

        Raises:
            RuntimeError: ``anneal`` and no run length was set (the hook
                sets it).
        """
        s = self.sampler
        n, g = s.num_images, s.global_batch
        iters = self.iters_per_epoch()
        if s.batches_drawn < iters:
            if self._first_pass is None:
                self._first_pass = np.resize(s.rng.permutation(n),
                                             iters * g)  # wraps around
            k = s.batches_drawn * g
            batch = self._first_pass[k:k + g]
            if s.batches_drawn == iters - 1:
                self._first_pass = None
            q = np.full(len(batch), 1 / n)
        else:
            self._set_uniform_mix()
            m = self.offset()  # one O(N / BLOCK) minimum per step
            batch = (self._rejection_step(self._active, m)
                     if self.mode == 'rejection' else self.draw(g, m))
            q = self.draw_probability(batch, m)
        self._active = batch
        return batch, self._weights(q)

    def _set_uniform_mix(self) -> None:
        if self.anneal is None:
            return
        if self.max_iters is None:
            raise RuntimeError(
                'importance policy anneal needs the run length, which '
                'ImportanceSamplingHook sets: add it to custom_hooks')
        self.uniform_mix = anneal_lambda(
            self.sampler.batches_drawn / max(self.max_iters, 1),
            **self.anneal)

    def _rejection_step(self, active: np.ndarray, m: float) -> np.ndarray:
        candidates = self.draw(len(active), m)
        u = self.sampler.rng.random(len(active))
        reject = rejection_rule(self.q(active, m), self.q(candidates, m), u)
        return np.where(reject, active, candidates)

    def _weights(self, q: np.ndarray) -> np.ndarray:
        if self.unbiased is None:
            return np.ones(len(q))
        w, clipped = importance_weights(q, self.sampler.num_images,
                                        **self.unbiased)
        self.num_clipped += clipped
        return w

    def diagnostics(self) -> Dict[str, float]:
        """``ess_fraction`` = ``1 / (N sum q^2)`` of the sampling
        distribution ``q`` (annealing included; 1 = uniform),
        ``uniform_mix``, and with unbiased weights ``clipped`` (weights
        clipped at ``max_weight`` so far)."""
        s = self.sampler
        n, m = s.num_images, self.offset()
        c, total = self.smoothing_value(m), self.weight_total(m)
        sum_p = total + n * c
        sum_p2 = s.table.sum_of_squares(m) + 2 * c * total + n * c * c
        lam = self.uniform_mix
        # sum q^2 with q = (1 - lam) p + lam / N and sum p = 1
        sum_q2 = ((1 - lam)**2 * sum_p2 / sum_p**2 + (2 - lam) * lam / n
                  if sum_p2 > 0 else 1 / n)
        stats = dict(ess_fraction=1 / (n * sum_q2), uniform_mix=lam)
        if self.unbiased is not None:
            stats['clipped'] = float(self.num_clipped)
        return stats

    def state_dict(self) -> dict:
        def tensor(a):
            return None if a is None else torch.from_numpy(a.copy())

        return dict(first_pass=tensor(self._first_pass),
                    active=tensor(self._active),
                    uniform_mix=float(self.uniform_mix),
                    num_clipped=self.num_clipped)

    def load_state_dict(self, state: dict) -> None:
        def array(t):
            return None if t is None else t.numpy().copy()

        self._first_pass = array(state['first_pass'])
        self._active = array(state['active'])
        self.uniform_mix = state['uniform_mix']
        self.num_clipped = state['num_clipped']
