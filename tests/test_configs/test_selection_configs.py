"""The per-epoch selection configs: each rule's KITTI config trains through
the Runner; the time-to-accuracy studies give every arm its own complete
schedule and change nothing else; DeepPCB reads as its README says."""
import copy
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from conftest import (REPO_ROOT, data_missing, load_study_tool,
                      tiny_kitti_cfg)
from mmdet.registry import DATASETS

study_tool = load_study_tool()
DEEPPCB = osp.join(REPO_ROOT, 'data', 'deeppcb')
STUDIES = [osp.join(REPO_ROOT, 'configs', 'studies', f'{name}.py')
           for name in ('underwater_tta', 'deeppcb_tta', 'deeppcb_long')]


@pytest.mark.parametrize('rule', ['tiers', 'infobatch', 'random'])
def test_kitti_selection_config_trains_through_the_runner(rule, tmp_path):
    """8 frames, batch 4, keep_ratio 0.6 of the config: ceil(4.8 / 4) = 2
    iterations (8 images) an epoch, 3 epochs; every image trained has a
    finite score of its own."""
    cfg = tiny_kitti_cfg(f'fcos_{rule}_kitti_tiny.py', str(tmp_path), 8, 3)
    runner = Runner.from_cfg(cfg)
    runner.train()
    sampler = runner.train_dataloader.sampler
    assert sampler.policy_cfg['type'] == rule
    assert sampler.iters_per_epoch == 2 and runner.iter == 6
    trained = np.flatnonzero(sampler.draw_counts)
    assert len(trained) == 8 and np.isfinite(sampler.table[trained]).all()
    assert sampler.draw_counts.sum() == 6 * 4


def arm_without_sampling(cfg):
    """A run's config less what an arm may change: sampler, hooks, epochs
    and the schedule's end, the work dir."""
    d = copy.deepcopy(cfg.to_dict())
    d['train_dataloader'].pop('sampler')
    d.pop('custom_hooks', None)
    d['train_cfg'].pop('max_epochs')
    d['param_scheduler'][1].pop('end')
    d.pop('work_dir')
    return d


@pytest.mark.parametrize('path', STUDIES, ids=osp.basename)
def test_every_arm_runs_its_own_complete_schedule(path):
    study = study_tool.load_study(path)
    base = study_tool.run_config(study, study.baseline, 0)
    keep = set()
    for name in study.methods:
        cfg = study_tool.run_config(study, name, 0)
        assert arm_without_sampling(cfg) == arm_without_sampling(base), name
        # warm-up over epoch 0, cosine to the arm's last epoch
        warm, cosine = cfg.param_scheduler
        assert (warm.type, warm.begin, warm.end) == ('LinearLR', 0, 1)
        assert cosine.type == 'CosineAnnealingLR' and cosine.begin == 1
        assert cosine.end == cfg.train_cfg.max_epochs, name
        sampler = cfg.train_dataloader.sampler
        if sampler.type == 'ImportanceSampler' and \
                sampler.policy.type != 'importance':
            keep.add(sampler.policy.keep_ratio)
            assert sampler.batch_size == cfg.train_dataloader.batch_size
        if name.startswith('uniform') or name == study.baseline:
            assert sampler.type == 'DefaultSampler', name
    assert len(keep) == 1  # one keep ratio for every selection arm
    assert len(study_tool.method_seeds(study, study.baseline)) >= 3


@pytest.mark.skipif(not osp.isdir(DEEPPCB),
                    reason=data_missing('deeppcb'))
def test_deeppcb_reads_as_its_readme_says():
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs',
                                   'thesis_detector', 'fcos_baseline_deeppcb.py'))
    init_default_scope('mmdet')
    counts = {}
    for key, loader in (('train', cfg.train_dataloader),
                        ('test', cfg.val_dataloader)):
        loader.dataset.data_root = DEEPPCB
        ds = DATASETS.build(loader.dataset)
        labels = np.concatenate([
            [i['bbox_label'] for i in ds.get_data_info(k)['instances']]
            for k in range(len(ds))])
        counts[key] = (len(ds), np.bincount(labels, minlength=6).tolist())
    assert counts['train'] == (1000, [1283, 1028, 1379, 1142, 1010, 1031])
    assert counts['test'] == (500, [659, 478, 586, 483, 464, 470])
