"""Stratified AP against pycocotools run directly and a brute-force AP."""
import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmdet_is.evaluation import evaluate_stratified
from mmdet_is.evaluation.stratified_metric import all_point_ap

W = H = 100  # image area 10,000 px: small < 33 px^2, large > 300 px^2


def box(x, y, s):
    return [x, y, s, s]  # COCO xywh, an s x s square


# Images: 1 two class-A objects, one missed (a missed object);
#         2 two class-A objects and a duplicate detection ranked between;
#         3 a don't-care region with a confident detection inside it;
#         4 no objects, one false positive;
#         5 one small and one large class-A object (size strata).
# Class B has no ground truth at all (an empty class).
GT = [  # image, class, box, iscrowd
    (1, 1, box(10, 10, 20), 0), (1, 1, box(50, 50, 30), 0),
    (2, 1, box(0, 0, 10), 0), (2, 1, box(40, 40, 10), 0),
    (3, 1, box(60, 60, 12), 0), (3, 1, box(0, 0, 40), 1),
    (5, 1, box(0, 0, 5), 0), (5, 1, box(50, 50, 25), 0),
]
DETS = [  # image, class, box, score
    (1, 1, box(10, 10, 20), 0.9),
    (2, 1, box(0, 0, 10), 0.85), (2, 1, box(1, 0, 10), 0.8),
    (2, 1, box(40, 40, 10), 0.7),
    (3, 1, box(5, 5, 20), 0.95), (3, 1, box(60, 60, 12), 0.6),
    (4, 1, box(30, 30, 10), 0.75),
    (5, 1, box(0, 0, 5), 0.5), (5, 1, box(50, 50, 25), 0.4),
    (5, 2, box(10, 60, 10), 0.3),
]


def coco_gt():
    gt = COCO()
    gt.dataset = dict(
        images=[dict(id=i, width=W, height=H) for i in range(1, 6)],
        categories=[dict(id=1, name='A'), dict(id=2, name='B')],
        annotations=[
            dict(id=k, image_id=i, category_id=c, bbox=b, iscrowd=z,
                 area=b[2] * b[3]) for k, (i, c, b, z) in enumerate(GT, 1)
        ])
    gt.createIndex()
    return gt


def coco_dets():
    return [dict(image_id=i, category_id=c, bbox=b, score=s)
            for i, c, b, s in DETS]


def iou(d, g, crowd):
    ix = max(0, min(d[0] + d[2], g[0] + g[2]) - max(d[0], g[0]))
    iy = max(0, min(d[1] + d[3], g[1] + g[3]) - max(d[1], g[1]))
    inter = ix * iy
    union = d[2] * d[3] if crowd else d[2] * d[3] + g[2] * g[3] - inter
    return inter / union


def brute_force_ap50(cat, lo=0.0, hi=1e5):
    """COCO matching and all-point AP written out one detection at a time.

    A ground truth is ignored when it is a crowd or its relative area is
    outside [lo, hi); a detection matched to an ignored ground truth, or
    unmatched with its area outside [lo, hi), is ignored.
    """
    ranked = []
    num_gt = 0
    for img in range(1, 6):
        gts = [(b, z, bool(z) or not lo <= b[2] * b[3] / (W * H) < hi)
               for i, c, b, z in GT if i == img and c == cat]
        num_gt += sum(not ign for _, _, ign in gts)
        used = [False] * len(gts)
        dets = sorted([(s, b) for i, c, b, s in DETS if i == img and c == cat],
                      key=lambda t: -t[0])
        for s, d in dets:
            best, best_iou = None, 0.5 - 1e-10
            # regular ground truth first, ignored only if none matches
            for pass_ignored in (False, True):
                for g, (b, z, ign) in enumerate(gts):
                    if ign != pass_ignored or (used[g] and not z):
                        continue
                    v = iou(d, b, z)
                    if v >= best_iou:
                        best, best_iou = g, v
                if best is not None:
                    break
            if best is not None:
                used[best] = True
                ignored = gts[best][2]
                ranked.append((s, not ignored, ignored))
            else:
                outside = not lo <= d[2] * d[3] / (W * H) < hi
                ranked.append((s, False, outside))
    if num_gt == 0:
        return float('nan')
    ranked = [r for r in sorted(ranked, key=lambda r: -r[0]) if not r[2]]
    precisions, tps = [], 0
    for k, (_, tp, _) in enumerate(ranked, 1):
        tps += tp
        precisions.append(tps / k)
    # all-point: each TP adds 1/n of recall at the best precision to its right
    return sum(max(precisions[k:]) for k, (_, tp, _) in enumerate(ranked)
               if tp) / num_gt


@pytest.fixture(scope='module')
def results():
    return evaluate_stratified(coco_gt(), coco_dets(), [1, 2], ['A', 'B'])


def test_ap50_matches_brute_force(results):
    assert results['AP50_A'] == pytest.approx(brute_force_ap50(1), abs=1e-6)
    # 7 objects; ranked: .95 ignored (don't-care), .9 TP, .85 TP, .8 FP
    # (duplicate), .75 FP (image without objects), .7 TP, .6 TP, .5 TP,
    # .4 TP -> precisions at the TPs 1, 1, 3/5, 4/6, 5/7, 6/8
    expect = (1 + 1 + 6 / 8 + 6 / 8 + 6 / 8 + 6 / 8) / 7
    assert results['AP50_A'] == pytest.approx(expect, abs=1e-6)
    assert results['num_gt_A'] == 7


@pytest.mark.parametrize('size, lo, hi', [('small', 0, 0.0033),
                                          ('medium', 0.0033, 0.03),
                                          ('large', 0.03, 1e5)])
def test_size_strata_match_brute_force(results, size, lo, hi):
    assert results[f'AP50_A_{size}'] == pytest.approx(
        brute_force_ap50(1, lo, hi), abs=1e-6)


def test_strata_are_fractions_of_the_image_area(results):
    # 5x5 = 25 px^2 (0.25 %) small; 10x10 and 12x12 medium (1-1.44 %);
    # 20x20 (4 %), 25x25 (6.25 %), 30x30 (9 %) large
    assert (results['num_gt_A_small'], results['num_gt_A_medium'],
            results['num_gt_A_large']) == (1, 3, 3)


def test_empty_class_is_nan_and_left_out_of_the_means(results):
    assert np.isnan(results['AP50_B']) and np.isnan(results['mAP_B'])
    assert results['AP50'] == pytest.approx(results['AP50_A'])


def test_coco_map_equals_pycocotools_run_directly(results):
    gt = coco_gt()
    direct = COCOeval(gt, gt.loadRes(coco_dets()), 'bbox')
    direct.params.catIds = [1, 2]
    direct.evaluate()
    direct.accumulate()
    direct.summarize()
    assert results['mAP'] == pytest.approx(direct.stats[0], abs=1e-6)
    assert results['mAP_A'] == pytest.approx(direct.stats[0], abs=1e-6)


def test_all_point_ap_small_cases():
    # one TP, one FP after it: AP = 1 * 1/1
    assert all_point_ap(np.array([.9, .8]), np.array([True, False]),
                        np.zeros(2, bool), 1) == pytest.approx(1.0)
    # FP first, then TP: precision 1/2 at recall 1
    assert all_point_ap(np.array([.9, .8]), np.array([False, True]),
                        np.zeros(2, bool), 1) == pytest.approx(0.5)
    # nothing detected
    assert all_point_ap(np.zeros(0), np.zeros(0, bool), np.zeros(0, bool),
                        3) == 0.0
    assert np.isnan(all_point_ap(np.zeros(0), np.zeros(0, bool),
                                 np.zeros(0, bool), 0))


def test_registered_metric_process_and_compute():
    """Through the METRICS registry, as a config uses it: instances with
    ignore_flag become iscrowd, predictions arrive as data samples."""
    import torch

    from mmdet.registry import METRICS
    metric = METRICS.build(dict(type='StratifiedCocoMetric', ann_file=None))
    metric.dataset_meta = dict(classes=('A', 'B'))
    samples = []
    for i in range(1, 6):
        inst = [dict(bbox=[b[0], b[1], b[0] + b[2], b[1] + b[3]],
                     bbox_label=c - 1, ignore_flag=z)
                for img, c, b, z in GT if img == i]
        dets = [(b, s, c) for img, c, b, s in DETS if img == i]
        samples.append(dict(
            img_id=i, ori_shape=(H, W), instances=inst,
            pred_instances=dict(
                bboxes=torch.tensor([[b[0], b[1], b[0] + b[2], b[1] + b[3]]
                                     for b, _, _ in dets]).reshape(-1, 4),
                scores=torch.tensor([s for _, s, _ in dets]),
                labels=torch.tensor([c - 1 for _, _, c in dets]))))
    metric.process({}, samples)
    out = metric.evaluate(size=5)
    assert out['strat/AP50_A'] == pytest.approx(brute_force_ap50(1),
                                                abs=1e-6)
    assert out['strat/num_gt_A_large'] == 3
