"""Unbiased loss weights and annealing to uniform sampling.

* Katharopoulos & Fleuret, "Not All Samples Are Created Equal: Deep Learning
  with Importance Sampling", ICML 2018: an image drawn with probability
  ``q_i`` gets the loss weight ``w_i = 1 / (N q_i)``, so that
  ``E_q[w_i grad L_i] = (1 / N) sum_i grad L_i``, the gradient of uniform
  sampling.
* Qin et al., "InfoBatch: Lossless Training Speed Up by Unbiased Dynamic
  Data Pruning", ICLR 2024: return to the full, uniform data for the last
  part of training. Here the sampling distribution is mixed with uniform,
  ``q = (1 - lam) p + lam / N``, ``lam`` following a schedule.
"""
from typing import Tuple

import numpy as np


def importance_weights(q: np.ndarray, num_images: int,
                       max_weight: float = 10.0,
                       normalize: bool = True) -> Tuple[np.ndarray, int]:
    """Loss weights of one global batch.

    ``w_i = 1 / (N q_i)``; with ``normalize`` divided by their mean over the
    global batch (self-normalised importance sampling: lower variance, a
    bias of order 1 / batch; with a batch of one every weight is 1); then
    clipped at ``max_weight``. Clipping caps the influence of images drawn
    far less often than uniform: their gradient is under-weighted by
    ``w_i / max_weight``, a bias towards the sampling distribution.

    Args:
        q: ``(B,)`` probabilities the images were drawn with, in (0, 1].
        num_images: N, the data set's size.
        max_weight: the clipping threshold, > 0.
        normalize: divide by the batch mean before clipping.

    Returns:
        ``(B,)`` float64 weights and the number clipped.

    Raises:
        ValueError: a probability outside (0, 1] or ``max_weight <= 0``.
    """
    q = np.asarray(q, np.float64)
    if max_weight <= 0:
        raise ValueError(f'max_weight must be > 0, got {max_weight}')
    if q.size and (q.min() <= 0 or q.max() > 1):
        raise ValueError(f'draw probabilities must be in (0, 1], got '
                         f'{q.min()} .. {q.max()}')
    w = 1.0 / (num_images * q)
    if normalize and w.size:
        w = w / w.mean()
    clipped = int(np.count_nonzero(w > max_weight))
    return np.minimum(w, max_weight), clipped


def anneal_lambda(progress: float, begin: float, end: float) -> float:
    """Weight ``lam`` of the uniform distribution at ``progress`` (the
    fraction of training done, iterations / max_iters): 0 before ``begin``,
    1 from ``end`` on, linear in between (a step when ``begin == end``).

    Raises:
        ValueError: unless ``0 <= begin <= end <= 1``.
    """
    if not 0 <= begin <= end <= 1:
        raise ValueError(f'anneal needs 0 <= begin <= end <= 1, got '
                         f'begin={begin}, end={end}')
    if progress >= end:
        return 1.0
    if progress < begin:
        return 0.0
    return (progress - begin) / (end - begin)
