"""FCOSSoftmaxHead's scores through the ingredients contract equal the
scores its head computed before the contract (commit 2ac8ef7, where the head
took ``importance_cfg``): same model, same seeded batch of the bundled KITTI
frames."""
import random

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from mmdet.registry import DATASETS, MODELS
from mmdet_is.scoring import attach_ingredients, image_scores

#: printed by the pre-contract code (head importance_cfg, pop_importance)
BEFORE = {
    ('uis', 'mean'): [5.795365, 4.494191, 4.443334],
    ('uis', 'masked_mean'): [5.155596, 3.718803, 3.713619],
    ('lis', 'mean'): [4.050108, 4.692059, 3.941227],
    ('lis', 'masked_mean'): [1.191469, 0.838001, 0.864137],
    ('closeness', 'mean'): [0.208552, 0.718565, 0.786261],
    ('closeness', 'masked_mean'): [0.22046, 0.781615, 0.786646],
}


def test_kitti_uis_config_scores_as_before(repo_root):
    cfg = Config.fromfile(f'{repo_root}/configs/thesis_detector/fcos_uis_kitti_tiny.py')
    init_default_scope('mmdet')
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    np.random.seed(0)
    random.seed(0)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    data = model.data_preprocessor(
        pseudo_collate([dataset[0], dataset[1], dataset[5]]), True)
    tap = attach_ingredients(model.bbox_head)
    model.loss(data['inputs'], data['data_samples'])
    ingredients = tap.pop()
    for (heuristic, reduction), before in BEFORE.items():
        scores = image_scores(ingredients, heuristic=heuristic,
                              reduction=reduction)['score']
        assert scores.tolist() == pytest.approx(before, rel=1e-4, abs=1e-5)
