"""A policy, heuristic, reduction, score and head adapter defined outside
mmdet_is, loaded by ``custom_imports``: the first four train through the
Runner on real KITTI frames, the adapter reads a stock head."""
import os.path as osp
import sys

import numpy as np
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from conftest import tiny_kitti_cfg
from mmdet.registry import HOOKS
from mmdet_is.scoring import head_of


@HOOKS.register_module()
class _RecordExtensionsHook(Hook):
    """Before ImportanceSamplingHook: each epoch's table when it was
    planned, its images, and each step's ingredients and indices."""
    priority = 'ABOVE_NORMAL'

    def __init__(self):
        self.epochs, self.steps = [], []

    def before_train_epoch(self, runner):
        self.table = runner.train_dataloader.sampler.table[:].copy()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        sampler = runner.train_dataloader.sampler
        if batch_idx == 0:
            self.epochs.append((self.table, sampler.epoch_images().copy()))
        ing = head_of(runner.model).importance_tap.last
        idx = [s.metainfo['sample_idx'] for s in data_batch['data_samples']]
        self.steps.append((idx, {k: ing[k].clone()
                                 for k in ('a', 'iou', 'care', 'obj_inds')}))


def brute_force_scores(ing):
    """``max over cared locations of (1 - a)`` plus ``max over positive
    locations of (1 - IoU)`` plus 0.25, one image at a time, in plain
    Python (the user's heuristic, reduction and score)."""
    out = []
    for b in range(len(ing['a'])):
        cls = [1 - float(a) for a, c in zip(ing['a'][b], ing['care'][b]) if c]
        reg = [1 - float(v) for v, o in zip(ing['iou'][b], ing['obj_inds'][b])
               if o >= 0]
        out.append(max(cls, default=0.0) + max(reg, default=0.0) + 0.25)
    return out


def test_a_user_policy_heuristic_reduction_and_score_train_through_the_runner(
        tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(osp.dirname(__file__))
    cfg = tiny_kitti_cfg('fcos_tiers_kitti_tiny.py', str(tmp_path), 8, 5)
    cfg.custom_imports = dict(imports=['mmdet_is', 'user_extensions'],
                              allow_failed_imports=False)
    cfg.train_dataloader.sampler.policy = dict(type='hardest_first',
                                               keep_ratio=0.5)
    cfg.train_dataloader.sampler.score = dict(
        type='ShiftedScore', shift=0.25, heuristic='confidence_gap',
        reduction='masked_max')
    cfg.custom_hooks.append(dict(type='_RecordExtensionsHook'))
    # as tools/train.py reads it: Config.fromfile runs custom_imports
    cfg.dump(str(tmp_path / 'user_config.py'))
    assert 'user_extensions' not in sys.modules
    runner = Runner.from_cfg(Config.fromfile(str(tmp_path / 'user_config.py')))
    runner.train()
    rec = [h for h in runner.hooks
           if type(h).__name__ == '_RecordExtensionsHook'][0]
    sampler = runner.train_dataloader.sampler
    assert type(sampler.policy).__name__ == 'HardestFirstPolicy'
    assert type(sampler.score).__name__ == 'ShiftedScore'
    # 8 frames, batch 4, keep 0.5: one iteration of 4 images an epoch;
    # epochs 0 and 1 train the never-trained images, then the 4 hardest
    assert len(rec.epochs) == 5 and sampler.iters_per_epoch == 1
    assert set(np.concatenate([e for _, e in rec.epochs[:2]])) == set(
        range(8))
    for table, images in rec.epochs[2:]:
        top = set(np.argsort(-table, kind='stable')[:4].tolist())
        assert set(images.tolist()) == top
    # every image's score is its last step's, by the user's heuristic
    last = {}
    for idx, ing in rec.steps:
        last.update(zip(idx, brute_force_scores(ing)))
    for i, v in last.items():
        assert abs(sampler.table[i] - v) < 1e-5, (i, sampler.table[i], v)


def retina_ingredients():
    """mmdet's RetinaHead (8 channels, one level at stride 8, seeded), its
    ingredients of one loss on a 32 x 48 image with one box, and the
    head."""
    import torch
    from mmengine.structures import InstanceData

    from mmdet.registry import MODELS
    from mmdet_is.scoring import attach_ingredients
    torch.manual_seed(0)
    head = MODELS.build(dict(
        type='RetinaHead', num_classes=2, in_channels=8, feat_channels=8,
        stacked_convs=1,
        anchor_generator=dict(type='AnchorGenerator', ratios=[1.0],
                              octave_base_scale=4, scales_per_octave=1,
                              strides=[8]),
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.] * 4,
                        target_stds=[1.] * 4),
        loss_cls=dict(type='FocalLoss', use_sigmoid=True),
        loss_bbox=dict(type='L1Loss'),
        train_cfg=dict(
            assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5,
                          neg_iou_thr=0.4, min_pos_iou=0),
            sampler=dict(type='PseudoSampler'), allowed_border=-1,
            pos_weight=-1, debug=False)))
    head.init_weights()
    tap = attach_ingredients(head)
    gt = InstanceData(bboxes=torch.tensor([[8., 8., 40., 24.]]),
                      labels=torch.tensor([1]))
    meta = dict(img_shape=(32, 48), pad_shape=(32, 48),
                batch_input_shape=(32, 48))
    head.loss_by_feat(*head([torch.randn(1, 8, 4, 6)]), [gt], [meta])
    return tap.pop()


def test_a_user_head_adapter_nearer_in_the_mro_is_the_one_chosen(
        tmp_path, monkeypatch):
    """The user's adapter registered under ``RetinaHead``, loaded by a
    config's custom_imports, reads mmdet's RetinaHead instead of the
    package's ``AnchorHead`` adapter, with the same ingredients."""
    import torch

    from mmdet.registry import MODELS
    from mmdet_is.registry import HEAD_ADAPTERS
    from mmdet_is.scoring import find_adapter
    monkeypatch.syspath_prepend(osp.dirname(__file__))
    expected = retina_ingredients()  # the package's AnchorHead adapter
    path = tmp_path / 'cfg.py'
    path.write_text("custom_imports = dict(imports=['user_extensions'], "
                    'allow_failed_imports=False)\n')
    Config.fromfile(str(path))  # runs custom_imports
    try:
        adapter = type(find_adapter(MODELS.get('RetinaHead')))
        assert adapter.__name__ == 'CountingRetinaAdapter'
        before = adapter.decodes
        got = retina_ingredients()
        assert adapter.decodes == before + 1
        for key in ('a', 'fg', 'iou', 'care', 'obj_inds'):
            assert torch.equal(got[key], expected[key]), key
        assert (got['obj_inds'] >= 0).any()  # the box has its anchors
    finally:  # leave the registry as the other tests expect it
        HEAD_ADAPTERS.module_dict.pop('RetinaHead', None)
