"""Irreducible losses for RHO: the trained hold-out model, once over the
training set (thesis 4.2.6, docs/method.md).

Each image's score with the RHO config's heuristic (its sampler's
``score``: heuristic, reduction, -IR) is computed as in training, from the
same head code and ingredients, without gradients and with the model in eval
mode
(BatchNorm uses its running statistics, so an image's value does not depend
on its batch). Random augmentations (transforms whose type starts with
``Random``) are left out of the pipeline. The file is keyed by ``img_id``
(see ``mmdet_is.scoring.rho``) and goes to the path the RHO config's
``sampler.score.irreducible_loss`` reads, unless ``--out``.

    python tools/rho/irreducible_loss.py configs/zod/fcos_holdout_r34quarter_zodfar.py \
        work_dirs/fcos_holdout_r34quarter_zodfar/epoch_100.pth configs/zod/fcos_lis_rho_zodfar.py

Refuses to write when the checkpoint's classes (``meta.dataset_meta``) differ
from the training set's, or when an image's loss is not finite.
"""
import argparse
import copy
import sys
from typing import Dict

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from torch.utils.data import DataLoader
from tqdm import tqdm

from mmdet.registry import DATASETS, MODELS
from mmdet_is.registry import IMAGE_SCORES, build
from mmdet_is.scoring import (attach_ingredients, sampler_score_cfg,
                              save_irreducible_losses)


@torch.no_grad()
def compute_irreducible_losses(model, loader,
                               score_cfg: dict) -> Dict[int, float]:
    """``img_id -> score`` for every image of ``loader``.

    ``model.loss`` is called in eval mode; the ingredients its bbox head
    publishes into its tap are scored by the score ``score_cfg`` builds
    from :data:`mmdet_is.registry.IMAGE_SCORES` (the training sampler's,
    without its ``irreducible_loss``).
    """
    image_score = build(IMAGE_SCORES, score_cfg)
    tap = attach_ingredients(model.bbox_head)
    model.eval()
    losses = {}
    for data in tqdm(loader, desc='irreducible losses'):
        data = model.data_preprocessor(data, True)
        model.loss(data['inputs'], data['data_samples'])
        scores = image_score(tap.pop(), None)['score']
        scores = scores.double().cpu().tolist()
        for sample, score in zip(data['data_samples'], scores):
            losses[sample.img_id] = score
    return losses


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('holdout_config', help='the hold-out model config')
    parser.add_argument('checkpoint', help='the trained hold-out model')
    parser.add_argument('rho_config', help='the RHO training config (its '
                        'training set and sampler score)')
    parser.add_argument('--out', help="default: the RHO config's path")
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--num-workers', type=int, default=2)
    parser.add_argument('--device', default='cuda'
                        if torch.cuda.is_available() else 'cpu')
    args = parser.parse_args(argv)

    rho_cfg = Config.fromfile(args.rho_config)
    ho_cfg = Config.fromfile(args.holdout_config)
    init_default_scope(rho_cfg.get('default_scope', 'mmdet'))
    score_cfg = sampler_score_cfg(rho_cfg)
    out = args.out or score_cfg['irreducible_loss']
    score_cfg['irreducible_loss'] = None
    if out is None:
        raise ValueError(f'{args.rho_config} has no sampler score with '
                         'irreducible_loss=...; pass --out')

    ds_cfg = copy.deepcopy(rho_cfg.train_dataloader.dataset)
    ds_cfg.pipeline = [t for t in ds_cfg.pipeline
                       if not t['type'].startswith('Random')]
    dataset = DATASETS.build(ds_cfg)
    model_cfg = copy.deepcopy(ho_cfg.model)
    model = MODELS.build(model_cfg).to(args.device)
    ckpt = load_checkpoint(model, args.checkpoint, map_location='cpu',
                           logger='silent')
    ckpt_classes = ckpt.get('meta', {}).get('dataset_meta', {}).get('classes')
    classes = dataset.metainfo['classes']
    if ckpt_classes is None or tuple(ckpt_classes) != tuple(classes):
        print(f'refusing to write {out}: the checkpoint {args.checkpoint} '
              f'was trained on classes {ckpt_classes}, the training set has '
              f'{tuple(classes)}', file=sys.stderr)
        return 1

    loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=False,
                        num_workers=args.num_workers,
                        collate_fn=pseudo_collate)
    losses = compute_irreducible_losses(model, loader, score_cfg)
    bad = [i for i, v in losses.items() if v != v or abs(v) == float('inf')]
    if bad:
        print(f'refusing to write {out}: non-finite loss for img_id {bad}',
              file=sys.stderr)
        return 1
    save_irreducible_losses(out, losses, score_cfg, classes,
                            args.checkpoint)
    print(f'{len(losses)} irreducible losses ({score_cfg}) -> {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
