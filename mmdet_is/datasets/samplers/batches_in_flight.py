"""The global batches an ImportanceSampler has yielded and that have not
trained yet: DataLoader workers prefetch, so the sampler draws ahead of
training, and the hook must score exactly the batch each step trained."""
from collections import deque
from typing import List, Optional, Tuple

import numpy as np
from mmengine.logging import MessageHub

Drawn = Tuple[np.ndarray, np.ndarray]  # (G,) int64 indices, (G,) weights

NO_HOOK = ('{n} batches were drawn and none was marked trained, so no score '
           "reaches the sampler: add dict(type='ImportanceSamplingHook') to "
           'custom_hooks (the sampler does not work without it)')


class BatchesInFlight:
    """A queue of ``(batch, weights)`` drawn and not yet trained, oldest
    first, and the batches of a resumed checkpoint still to yield again
    (``replay``).

    It also notices a missing hook early: the hook pops one batch per
    training step, so when the runner's iteration (mmengine's MessageHub
    ``iter``, read only) advances by two while nothing is popped,
    :meth:`check_consumed` refuses to draw on.

    Args:
        max_in_flight (int): batches in flight beyond which the hook is
            missing, without a runner (a DataLoader prefetches
            ``num_workers x prefetch_factor``).
    """

    def __init__(self, max_in_flight: int = 1024) -> None:
        self.max_in_flight = max_in_flight
        self.queue: deque = deque()
        self.replay: deque = deque()
        self.popped = 0
        self._watch = None  # (runner iteration, popped) at the last pop

    def __len__(self) -> int:
        return len(self.queue)

    def push(self, drawn: Drawn) -> None:
        self.queue.append(drawn)

    def oldest(self) -> Drawn:
        """The batch the next training step receives.

        Raises:
            RuntimeError: none is in flight (the batches reaching the model
                do not come from this sampler's iterator).
        """
        if not self.queue:
            raise RuntimeError(
                'ImportanceSampler: a training step ran on a batch this '
                'sampler did not yield (no batch in flight)')
        return self.queue[0]

    def pop(self) -> np.ndarray:
        """The oldest batch's indices, now trained (raises as
        :meth:`oldest`)."""
        batch = self.oldest()[0]
        self.queue.popleft()
        self.popped += 1
        return batch

    def next_replayed(self) -> Optional[Drawn]:
        """The next batch of the resumed checkpoint to yield again, or
        None."""
        return self.replay.popleft() if self.replay else None

    def check_consumed(self) -> None:
        """Raises RuntimeError (:data:`NO_HOOK`) when more than
        ``max_in_flight`` batches wait, or when the runner trained two
        iterations since the last pop."""
        if len(self.queue) > self.max_in_flight:
            raise RuntimeError(NO_HOOK.format(n=len(self.queue)))
        iteration = MessageHub.get_current_instance().get_info('iter')
        if iteration is None:
            return
        if self._watch is None or self.popped > self._watch[1]:
            self._watch = (iteration, self.popped)
        elif iteration - self._watch[0] >= 2:
            raise RuntimeError(NO_HOOK.format(n=len(self.queue)))

    def all_waiting(self) -> List[Drawn]:
        """Every batch drawn and not trained, in order: the queue, then
        those still to replay (what a checkpoint keeps)."""
        return list(self.queue) + list(self.replay)

    def restore(self, waiting: List[Drawn]) -> None:
        """Replay ``waiting`` (from :meth:`all_waiting` of a checkpoint)
        before drawing anything new."""
        self.queue = deque()
        self.replay = deque(waiting)
