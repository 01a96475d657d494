"""Time-to-accuracy bookkeeping: images processed and training wall-clock
beside every validation (in the manner of MLPerf Training's time-to-train,
counted in the unit a selection rule saves: images)."""
import time

from mmengine.dist import get_world_size
from mmengine.hooks import Hook

from mmdet.registry import HOOKS

CKPT_KEY = 'images_processed'


@HOOKS.register_module()
class ImagesProcessedHook(Hook):
    """Count the images trained and the training wall-clock, for
    time-to-accuracy.

    ``images_processed``: images of every training step on every rank
    (forward and backward): this rank's count times the world size (every
    rank trains the same number of images per step with mmengine's and this
    project's samplers). ``train_wall_s``: wall-clock seconds of training
    since ``before_train``, validation excluded (data loading, logging and
    checkpoints included). Both are kept in checkpoints and carried on by
    ``--resume``, so a resumed run's values add up its segments.

    (``train_wall_s``: mmengine's LogProcessor averages every key matching
    ``time``.) Before every validation both go into the message hub as
    ``val/images_processed`` and ``val/train_wall_s``, so mmengine's
    LoggerHook writes them into the validation's record of
    ``vis_data/scalars.json`` (keys ``images_processed``, ``train_wall_s``)
    and its text log, where ``tools/analysis/study.py`` reads them.

    Use it as ``default_hooks.images_processed =
    dict(type='ImagesProcessedHook')`` (the project's
    ``_base_/default_runtime.py`` does).
    """

    priority = 'NORMAL'

    def __init__(self) -> None:
        self.images = 0  # all ranks, before this run segment
        self.seconds = 0.0  # before this run segment
        self._local_images = 0
        self._t0 = None
        self._val_seconds = 0.0
        self._val_start = None

    def before_train(self, runner) -> None:
        self._t0 = time.perf_counter()
        self._local_images = 0
        self._val_seconds = 0.0

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        self._local_images += len(data_batch['data_samples'])

    def totals(self):
        """``(images_processed, train_wall_s)`` up to now."""
        seconds = self.seconds
        if self._t0 is not None:
            now = time.perf_counter()
            running_val = 0.0 if self._val_start is None else \
                now - self._val_start
            seconds += now - self._t0 - self._val_seconds - running_val
        return self.images + self._local_images * get_world_size(), seconds

    def before_val_epoch(self, runner) -> None:
        images, seconds = self.totals()
        runner.message_hub.update_scalar('val/images_processed', images)
        runner.message_hub.update_scalar('val/train_wall_s', seconds)
        self._val_start = time.perf_counter()

    def after_val_epoch(self, runner, metrics=None) -> None:
        if self._val_start is not None:
            self._val_seconds += time.perf_counter() - self._val_start
            self._val_start = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        images, seconds = self.totals()
        checkpoint[CKPT_KEY] = dict(images=int(images),
                                    train_wall_s=float(seconds))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not getattr(runner, '_resume', False) or CKPT_KEY not in \
                checkpoint:
            return
        self.images = int(checkpoint[CKPT_KEY]['images'])
        self.seconds = float(checkpoint[CKPT_KEY]['train_wall_s'])
