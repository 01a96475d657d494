"""Each stock-head config of ``configs/stock_heads/`` trains through
mmengine's Runner with the ImportanceSampler on the bundled KITTI frames, and
every image trained gets a finite score of its own."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmdet.registry import HOOKS

CONFIGS = sorted(glob.glob(osp.join(osp.dirname(__file__), '..', '..',
                                    'configs', 'stock_heads', '*.py')))


@HOOKS.register_module()
class _RecordTrainedHook(Hook):
    """Runs after ImportanceSamplingHook: the sample_idx trained per step."""
    priority = 'LOW'

    def __init__(self):
        self.trained = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.trained.append([s.metainfo['sample_idx']
                             for s in data_batch['data_samples']])


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_stock_head_trains_with_importance_sampling(path, repo_root,
                                                    tmp_path):
    cfg = Config.fromfile(path)
    cfg.work_dir = str(tmp_path)
    cfg.model.backbone.init_cfg = None  # no ImageNet download in tests
    cfg.train_dataloader.dataset.data_root = osp.join(repo_root, 'data',
                                                      'kitti_tiny')
    cfg.train_dataloader.update(num_workers=0, persistent_workers=False)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2,
                         val_interval=100)
    for key in ('val', 'test'):
        cfg[f'{key}_cfg'] = cfg[f'{key}_dataloader'] = None
        cfg[f'{key}_evaluator'] = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=100)
    cfg.param_scheduler = None
    cfg.custom_hooks.append(dict(type='_RecordTrainedHook'))
    runner = Runner.from_cfg(cfg)
    runner.train()

    sampler = runner.train_dataloader.sampler
    recorder = [h for h in runner.hooks if type(h).__name__ ==
                '_RecordTrainedHook'][0]
    trained = np.unique(np.concatenate(recorder.trained))
    assert len(recorder.trained) == 2 and len(trained) >= 2
    scores = sampler.table[:]
    assert sampler.num_rejected_updates == 0
    assert np.isfinite(scores[trained]).all()
    assert (scores[trained] != 1.0).all()  # 1.0: the initial score
    untouched = np.setdiff1d(np.arange(sampler.num_images), trained)
    assert (scores[untouched] == 1.0).all()
