"""AP stratified by object size (relative to the image) and class.

Source: thesis (Huang & Kvernes 2023) chapter 5 and table 4.2; docs/method.md
section 4. Matching is pycocotools' (COCOeval.evaluate: greedy by score,
``iscrowd`` ground truth = ignore region, objects outside a size stratum
ignored); on top of it this module reports

* AP@0.5 with all-point interpolated precision (the thesis metric, as in
  PASCAL VOC 2010+), from COCOeval's per-image matches;
* COCO mAP@[0.5:0.95] (COCOeval.accumulate, 101 recall points);

per class, per size stratum, and per class x size cell with the number of
ground-truth objects in it. Size strata are fractions of the image area
(default small < 0.33 %, medium 0.33-3 %, large > 3 %), so they hold for any
resolution; each box's area is divided by its own image's area.
"""
import copy
import os.path as osp
import tempfile
from collections import OrderedDict
from typing import Dict, List, Sequence, Tuple

import numpy as np
from mmengine.fileio import load
from mmengine.logging import MMLogger
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmdet.datasets.api_wrappers import COCO as MMDetCOCO
from mmdet.evaluation import CocoMetric
from mmdet.registry import METRICS

SIZES = ('small', 'medium', 'large')


def all_point_ap(scores: np.ndarray, tp: np.ndarray, ignore: np.ndarray,
                 num_gt: int) -> float:
    """All-point interpolated AP (area under the monotone PR envelope).

    Args:
        scores: ``(D,)`` detection scores; tp: ``(D,)`` bool, matched to a
            ground-truth object; ignore: ``(D,)`` bool, matched to an ignore
            region or outside the stratum (neither TP nor FP).
        num_gt: number of non-ignored ground-truth objects.

    Returns:
        float: AP in [0, 1]; ``nan`` when ``num_gt == 0``.
    """
    if num_gt == 0:
        return float('nan')
    order = np.argsort(-scores, kind='mergesort')  # as pycocotools
    keep = ~ignore[order]
    hits = tp[order][keep].astype(np.float64)
    if hits.size == 0:
        return 0.0
    ctp, cfp = np.cumsum(hits), np.cumsum(1 - hits)
    recall = np.concatenate([[0.0], ctp / num_gt, [1.0]])
    precision = np.concatenate([[0.0], ctp / (ctp + cfp), [0.0]])
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.nonzero(recall[1:] != recall[:-1])[0]
    return float(np.sum((recall[steps + 1] - recall[steps]) *
                        precision[steps + 1]))


def _relative_coco(gt: COCO, dets: List[dict]) -> Tuple[COCO, COCO]:
    """Copies of ``gt`` and the detections with ``area`` as a fraction of
    the image area."""
    img_area = {i['id']: i['width'] * i['height']
                for i in gt.dataset['images']}
    gt_rel = COCO()
    gt_rel.dataset = copy.deepcopy(gt.dataset)
    gt_rel.dataset.setdefault('annotations', [])
    for ann in gt_rel.dataset['annotations']:
        ann['area'] = ann['bbox'][2] * ann['bbox'][3] / img_area[
            ann['image_id']]
    gt_rel.createIndex()
    dt = COCO()
    dt.dataset = dict(images=gt.dataset['images'],
                      categories=gt.dataset['categories'], annotations=[])
    for k, d in enumerate(dets, start=1):
        x, y, w, h = d['bbox']
        dt.dataset['annotations'].append(
            dict(id=k, image_id=d['image_id'], category_id=d['category_id'],
                 bbox=[x, y, w, h], score=d['score'], iscrowd=0,
                 area=w * h / img_area[d['image_id']]))
    dt.createIndex()
    return gt_rel, dt


def evaluate_stratified(gt: COCO,
                        dets: List[dict],
                        cat_ids: Sequence[int],
                        class_names: Sequence[str],
                        area_fractions: Tuple[float, float] = (0.0033, 0.03),
                        max_dets: int = 100) -> Dict[str, float]:
    """Evaluate detections against COCO ground truth, stratified.

    Args:
        gt: ground truth; ``iscrowd=1`` annotations are ignore regions.
        dets: COCO result dicts (``image_id``, ``category_id``, ``bbox`` as
            ``[x, y, w, h]`` pixels, ``score``).
        cat_ids, class_names: the categories to report, aligned.
        area_fractions: (small/medium, medium/large) limits as fractions of
            the image area.
        max_dets: detections per image kept (highest scores).

    Returns:
        dict with ``AP50``, ``mAP`` (means over classes with ground truth),
        ``AP50_<size>``, ``mAP_<size>``, ``AP50_<class>``, ``mAP_<class>``,
        ``AP50_<class>_<size>`` and ``num_gt_<class>_<size>`` /
        ``num_gt_<class>``; ``nan`` where a cell has no ground truth.
    """
    gt_rel, dt = _relative_coco(gt, dets)
    evaluator = COCOeval(gt_rel, dt, 'bbox')
    p = evaluator.params
    small, large = area_fractions
    p.catIds, p.imgIds = list(cat_ids), sorted(gt.getImgIds())
    p.areaRng = [[0, 1e5], [0, small], [small, large], [large, 1e5]]
    p.areaRngLbl = ['all'] + list(SIZES)
    p.maxDets = [max_dets]
    evaluator.evaluate()
    evaluator.accumulate()
    precision = evaluator.eval['precision']  # [T, R, K, A, M]
    n_img = len(p.imgIds)
    iou50 = int(np.argmin(np.abs(p.iouThrs - 0.5)))

    ap50 = np.full((len(cat_ids), 4), np.nan)
    coco_map = np.full((len(cat_ids), 4), np.nan)
    num_gt = np.zeros((len(cat_ids), 4), int)
    for k in range(len(cat_ids)):
        for a in range(4):
            evals = [e for e in evaluator.evalImgs[(k * 4 + a) * n_img:
                                                   (k * 4 + a + 1) * n_img]
                     if e is not None]
            if not evals:
                continue
            gt_ignore = np.concatenate([e['gtIgnore'] for e in evals])
            num_gt[k, a] = int(np.sum(gt_ignore == 0))
            scores = np.concatenate([e['dtScores'][:max_dets] for e in evals])
            tp = np.concatenate(
                [e['dtMatches'][iou50, :max_dets] > 0 for e in evals])
            ign = np.concatenate(
                [e['dtIgnore'][iou50, :max_dets] for e in evals]).astype(bool)
            ap50[k, a] = all_point_ap(scores, tp, ign, num_gt[k, a])
            pr = precision[:, :, k, a, 0]
            if num_gt[k, a] > 0 and (pr > -1).any():
                coco_map[k, a] = float(np.mean(pr[pr > -1]))
    return _to_dict(ap50, coco_map, num_gt, class_names)


def _nanmean(x: np.ndarray) -> float:
    x = x[~np.isnan(x)]
    return float(x.mean()) if x.size else float('nan')


def _to_dict(ap50, coco_map, num_gt, names) -> Dict[str, float]:
    out = OrderedDict()
    out['AP50'] = _nanmean(ap50[:, 0])
    out['mAP'] = _nanmean(coco_map[:, 0])
    for a, size in enumerate(SIZES, start=1):
        out[f'AP50_{size}'] = _nanmean(ap50[:, a])
        out[f'mAP_{size}'] = _nanmean(coco_map[:, a])
    for k, name in enumerate(names):
        out[f'AP50_{name}'] = float(ap50[k, 0])
        out[f'mAP_{name}'] = float(coco_map[k, 0])
        out[f'num_gt_{name}'] = int(num_gt[k, 0])
        for a, size in enumerate(SIZES, start=1):
            out[f'AP50_{name}_{size}'] = float(ap50[k, a])
            out[f'num_gt_{name}_{size}'] = int(num_gt[k, a])
    return out


def format_table(results: Dict[str, float], names: Sequence[str]) -> str:
    """Class x size table of AP@0.5 with ground-truth counts, as text."""
    cols = list(SIZES) + ['all']
    lines = [f'{"AP@0.5 (n_gt)":<20}' + ''.join(f'{c:>16}' for c in cols)]
    for name in names:
        cells = []
        for c in cols:
            sfx = '' if c == 'all' else f'_{c}'
            ap, n = results[f'AP50_{name}{sfx}'], results[f'num_gt_{name}{sfx}']
            cells.append(f'{"nan" if np.isnan(ap) else f"{ap:.3f}"} ({n})')
        lines.append(f'{name:<20}' + ''.join(f'{c:>16}' for c in cells))
    lines.append(f'{"mean":<20}' + ''.join(
        f'{results["AP50" + ("" if c == "all" else "_" + c)]:>16.3f}'
        for c in cols))
    return '\n'.join(lines)


@METRICS.register_module()
class StratifiedCocoMetric(CocoMetric):
    """mmdet's CocoMetric, reporting AP stratified by relative size and class.

    Accepts CocoMetric's arguments (``ann_file=None`` converts the dataset's
    instances, ``ignore_flag`` -> ``iscrowd``). Keys, under the prefix
    ``strat`` by default: see :func:`evaluate_stratified`. The class x size
    table is printed in the log after each evaluation.

    Args:
        area_fractions (tuple[float, float]): small/medium and medium/large
            limits as fractions of the image area (thesis: 0.33 %, 3 %).
        max_dets (int): detections per image kept.

    Raises:
        ValueError: ``area_fractions`` not increasing within (0, 1).
    """

    default_prefix = 'strat'

    def __init__(self,
                 *args,
                 area_fractions: Tuple[float, float] = (0.0033, 0.03),
                 max_dets: int = 100,
                 **kwargs) -> None:
        if not 0 < area_fractions[0] < area_fractions[1] < 1:
            raise ValueError('area_fractions must satisfy 0 < small < large '
                             f'< 1, got {area_fractions}')
        kwargs.setdefault('metric', 'bbox')
        super().__init__(*args, **kwargs)
        self.area_fractions = tuple(area_fractions)
        self.max_dets = max_dets

    def compute_metrics(self, results: list) -> Dict[str, float]:
        gts, preds = zip(*results)
        with tempfile.TemporaryDirectory() as tmp:
            prefix = osp.join(tmp, 'results')
            if self._coco_api is None:
                self._coco_api = MMDetCOCO(self.gt_to_coco_json(gts,
                                                                prefix))
            if self.cat_ids is None:
                self.cat_ids = self._coco_api.get_cat_ids(
                    cat_names=self.dataset_meta['classes'])
            dets = load(self.results2json(preds, prefix)['bbox'])
        names = list(self.dataset_meta['classes'])
        out = evaluate_stratified(self._coco_api, dets, self.cat_ids, names,
                                  self.area_fractions, self.max_dets)
        MMLogger.get_current_instance().info(
            '\n' + format_table(out, names))
        return out
