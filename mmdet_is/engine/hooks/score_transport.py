"""Scores between ranks: each step's ``(index, score, loss finite)`` rows
from every rank, so that every rank's sampler holds the same table."""
import numpy as np
import torch
from mmengine.dist import all_gather, get_world_size


def gather_scores(indices, scores: torch.Tensor,
                  loss_finite: bool = True) -> torch.Tensor:
    """``(index, score, loss finite)`` rows of this step from every rank, in
    rank order.

    Args:
        indices: ``(B,)`` dataset indices of this rank's images.
        scores: ``(B,)`` their scores (any device).
        loss_finite: whether this rank's loss of the step was finite (1.0 /
            0.0 in the third column of its rows), so that every rank sees
            every rank's answer without another collective.

    Returns:
        ``(world_size * B, 3)`` float64 on the scores' device (nothing
        waits for the GPU).
    """
    local = torch.stack([
        torch.as_tensor(np.asarray(indices), dtype=torch.float64,
                        device=scores.device),
        scores.detach().double(),
        torch.full_like(scores, float(loss_finite), dtype=torch.float64)
    ], 1)
    if get_world_size() > 1:
        local = torch.cat(all_gather(local))
    return local


def apply_scores(sampler, rows: torch.Tensor) -> bool:
    """Write :func:`gather_scores` rows (on the CPU) into the sampler's
    table (its public ``update``); rows of a rank whose loss was not finite
    are left out.

    Returns:
        bool: whether every rank's loss of the step was finite.
    """
    rows = rows.numpy()
    finite = rows[:, 2] > 0
    sampler.update(rows[finite, 0].astype(np.int64), rows[finite, 1])
    return bool(finite.all())


def update_from_all_ranks(sampler, indices, scores: torch.Tensor) -> None:
    """Gather ``(index, score)`` of this step from every rank and apply them
    all to this rank's table now, so that every rank holds the same scores
    (waits for the GPU).

    Args:
        indices: ``(B,)`` dataset indices of this rank's images.
        scores: ``(B,)`` their scores (any device).
    """
    apply_scores(sampler, gather_scores(indices, scores).cpu())


class DeferredRows:
    """One step's gathered rows on their way to the host: a non-blocking
    copy to pinned memory started now, the rows read one step later, so
    the training step never waits for the GPU."""

    def __init__(self, rows: torch.Tensor, iteration: int) -> None:
        self.iteration = iteration
        self.event = None
        if not rows.is_cuda:
            self.host = rows.clone()
            return
        self.host = torch.empty(rows.shape, dtype=rows.dtype,
                                pin_memory=True)
        self.host.copy_(rows, non_blocking=True)
        self.event = torch.cuda.Event()
        self.event.record()

    def wait(self) -> torch.Tensor:
        """The rows on the host (waits for the copy)."""
        if self.event is not None:
            self.event.synchronize()
        return self.host
