"""An iteration-based training loop that resumes the ImportanceSampler exactly.

mmengine's ``IterBasedTrainLoop`` resumes by calling ``next()`` on the
dataloader once per finished iteration ("Advance dataloader N steps"): it
loads all that data again and, with an ImportanceSampler, draws N batches
more, so the resumed run neither starts quickly nor continues the same
stream. The ImportanceSampler restores its own position from the checkpoint
(scores, random state, batches in flight), so this loop skips the advance,
and it starts the data iterator afresh: mmengine's loop starts it when the
loop is built, before the checkpoint is loaded, so its workers would have
prefetched batches drawn from the sampler's initial state.
"""
import logging

from mmengine.logging import MMLogger, print_log
from mmengine.runner import IterBasedTrainLoop
from mmengine.runner.loops import _InfiniteDataloaderIterator

from mmdet.registry import LOOPS
from ...datasets.samplers import ImportanceSampler


class _NoInfiniteAdvice(logging.Filter):
    """Drops mmengine's "Reach the end of the dataloader ... InfiniteSampler"
    warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.getMessage()).startswith(
            'Reach the end of the dataloader')


class _SkipFirst:
    """An iterator whose first ``n`` ``next()`` calls return None without
    touching ``iterator``."""

    def __init__(self, iterator, n: int) -> None:
        self.iterator, self.n = iterator, n

    def __next__(self):
        if self.n > 0:
            self.n -= 1
            return None
        return next(self.iterator)


@LOOPS.register_module()
class ImportanceIterBasedTrainLoop(IterBasedTrainLoop):
    """``IterBasedTrainLoop`` whose resume loads no data again when the
    training dataloader uses an :class:`ImportanceSampler` (with any other
    sampler it is mmengine's loop unchanged).

    Use it as ``train_cfg = dict(type='ImportanceIterBasedTrainLoop',
    max_iters=..., val_interval=...)``. It also silences mmengine's advice
    at every sampler epoch end to use an ``InfiniteSampler`` (the samplers
    of this project continue their stream across epochs; the iterator's
    2-second pause at an epoch end stays).
    """

    def run(self):
        if isinstance(self.dataloader.sampler, ImportanceSampler):
            # mmengine's infinite iterator advises an InfiniteSampler at
            # every epoch end: wrong advice for these samplers, whose stream
            # continues across epochs
            logger = MMLogger.get_current_instance()
            if not any(isinstance(f, _NoInfiniteAdvice)
                       for f in logger.filters):
                logger.addFilter(_NoInfiniteAdvice())
        if self._iter > 0 and isinstance(self.dataloader.sampler,
                                         ImportanceSampler):
            print_log(
                f'ImportanceSampler resumed at iteration {self._iter}: the '
                'advance below loads no data and draws nothing',
                logger='current', level=logging.WARNING)
            self.dataloader_iterator = _SkipFirst(
                _InfiniteDataloaderIterator(self.dataloader), self._iter)
        return super().run()
