"""What the Runner tests of the sampler and the hook share: their configs
(built by ``conftest.tiny_kitti_cfg``) and the hooks that record what each
step drew, trained and scored."""
from mmengine.hooks import Hook

from conftest import tiny_kitti_cfg
from mmdet.registry import HOOKS
from mmdet_is.scoring import head_of, image_scores


@HOOKS.register_module()
class _RecordImportanceHook(Hook):
    """Runs before ImportanceSamplingHook and records what it will see:
    each step's ``sample_idx`` and their UIS scores (the uis config's)."""
    priority = 'ABOVE_NORMAL'

    def __init__(self):
        self.steps = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        terms = image_scores(head_of(runner.model).importance_tap.last,
                             heuristic='uis', reduction='mean')
        idx = [s.metainfo['sample_idx'] for s in data_batch['data_samples']]
        self.steps.append((idx, terms['score'].tolist()))


@HOOKS.register_module()
class _RecordDrawnHook(Hook):
    """Runs before ImportanceSamplingHook: this rank's indices drawn for
    this step, the images trained, their scores and the global batch."""
    priority = 'ABOVE_NORMAL'

    def __init__(self):
        self.steps = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        sampler = runner.train_dataloader.sampler
        batch = sampler.next_to_train()[0]
        paths = [s.metainfo['img_path'] for s in data_batch['data_samples']]
        scores = image_scores(head_of(runner.model).importance_tap.last,
                              heuristic='uis', reduction='mean')['score']
        self.steps.append((sampler.rank_slice(batch).tolist(), paths,
                           scores.tolist(), batch.tolist()))


def make_cfg(work_dir, max_epochs):
    """UIS importance sampling on the first 10 KITTI frames (no flip),
    batch 4 (3 iterations an epoch), a checkpoint every epoch, each step
    recorded (:class:`_RecordImportanceHook`)."""
    cfg = tiny_kitti_cfg('fcos_uis_kitti_tiny.py', work_dir, 10, max_epochs,
                         checkpoint_interval=1, flip=False)
    cfg.custom_hooks = cfg.custom_hooks + [dict(type='_RecordImportanceHook')]
    return cfg


def record_hook(runner):
    return [h for h in runner.hooks if isinstance(h, _RecordImportanceHook)][0]


def iter_cfg(work_dir, max_iters, loop):
    """Batch 2 of 10 frames (5 iterations per epoch), one prefetching
    worker (2 batches in flight), a checkpoint every 4 iterations."""
    cfg = make_cfg(work_dir, 1)
    cfg.custom_hooks.append(dict(type='_RecordDrawnHook'))
    cfg.train_dataloader.update(batch_size=2, num_workers=1,
                                persistent_workers=True)
    cfg.train_dataloader.sampler.batch_size = 2
    cfg.train_cfg = dict(type=loop, max_iters=max_iters, val_interval=1000)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=4,
                                        by_epoch=False, save_best=None)
    cfg.log_processor = dict(by_epoch=False)
    return cfg


def recorded(runner):
    return [h for h in runner.hooks if isinstance(h, _RecordDrawnHook)][0]
