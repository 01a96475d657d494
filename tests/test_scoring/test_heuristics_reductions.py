"""Heuristics and reductions on a hand-made image: two objects, background
and a don't-care box (method.md section 2)."""
import math

import pytest
import torch

from mmdet_is.registry import HEURISTICS
from mmdet_is.models.utils import (aligned_overlaps, sigmoid_target_prob,
                                   softmax_target_prob)
from mmdet_is.scoring import get_heuristic, image_scores, reduce_terms

# Six locations of one image:
#   0, 1 -> object 0     2 -> object 1     3, 4 -> background
#   5    -> object 2, a don't-care box (care 0: no classification part)
OBJ = torch.tensor([[0, 0, 1, -1, -1, 2]])
CARE = torch.tensor([[True, True, True, True, True, False]])
A = torch.tensor([[0.5, 0.25, 0.8, 0.9, 0.6, 0.3]])  # p(target class)
IOU = torch.tensor([[0.5, 0.75, 0.2, 0.0, 0.0, 0.6]])
GIOU = torch.tensor([[0.4, 0.7, 0.1, 0.0, 0.0, 0.5]])
L = math.log


def test_lis_terms():
    cls, reg = get_heuristic('lis')(A, IOU, GIOU)
    assert cls[0, 1].item() == pytest.approx(-L(0.25))
    assert reg[0, 0].item() == pytest.approx(1 - 0.4)


def test_error_terms():
    cls, reg = get_heuristic('error')(A, IOU, GIOU)
    assert cls[0, 2].item() == pytest.approx(-L(0.8))
    assert reg[0, 1].item() == pytest.approx(-L(0.75))


def test_uis_terms_as_printed():
    cls, reg = get_heuristic('uis')(A, IOU, GIOU)
    assert cls[0, 0].item() == pytest.approx(0, abs=1e-6)  # a = 0.5
    assert cls[0, 3].item() == pytest.approx(-L(4 * 0.9 * 0.1), rel=1e-5)
    # v = 1 - IoU = 0.25 at location 1
    assert reg[0, 1].item() == pytest.approx(-L(4 * 0.25 * 0.75), rel=1e-5)
    # as printed, a confident prediction (a = 0.9) outranks a = 0.6
    assert cls[0, 3] > cls[0, 4]


def test_closeness_terms():
    cls, reg = get_heuristic('closeness')(A, IOU, GIOU)
    assert cls[0, 0].item() == pytest.approx(1.0)
    assert cls[0, 3].item() == pytest.approx(4 * 0.9 * 0.1)
    assert reg[0, 2].item() == pytest.approx(4 * 0.8 * 0.2)  # v = 0.8
    assert cls[0, 4] > cls[0, 3]  # nearer the decision boundary


def test_probabilities_are_clamped_before_log():
    cls, reg = get_heuristic('uis')(torch.tensor([0.0, 1.0]),
                                    torch.tensor([1.0, 0.0]),
                                    torch.zeros(2))
    assert torch.isfinite(cls).all() and torch.isfinite(reg).all()


def test_unknown_heuristic_lists_the_known_ones():
    with pytest.raises(KeyError, match='closeness'):
        get_heuristic('nope')
    # an import path is no heuristic (mmengine's Registry.get would import)
    with pytest.raises(KeyError, match="'json'"):
        get_heuristic('json')
    assert set(HEURISTICS.module_dict) >= {'lis', 'error', 'uis', 'closeness'}


# LIS terms per location:
#   cls = -log a on cared locations 0..4; reg = 1 - GIoU on 0, 1, 2, 5
C0 = (-L(0.5) - L(0.25)) / 2  # object 0 (two locations)
C1 = -L(0.8)  # object 1
CB = (-L(0.9) - L(0.6)) / 2  # background as one object (two locations)
R0 = (0.6 + 0.3) / 2  # object 0
R1 = 0.9  # object 1
R2 = 0.5  # don't-care object: box part only
CLS_GROUPS = [(CB, 2), (C0, 2), (C1, 1)]  # (value, number of locations)
REG_GROUPS = [(R0, 2), (R1, 1), (R2, 1)]


def expected(how, groups):
    vals = [v for v, _ in groups]
    if how == 'mean':
        return sum(vals) / len(vals)
    if how == 'sum':
        return sum(vals)
    if how == 'max':
        return max(vals)
    if how == 'rms':
        return math.sqrt(sum(v * v for v in vals) / len(vals))
    if how == 'area_weighted_mean':
        w = [math.sqrt(n) for _, n in groups]
        return sum(v * wi for (v, _), wi in zip(groups, w)) / sum(w)


@pytest.mark.parametrize(
    'how', ['mean', 'sum', 'max', 'rms', 'area_weighted_mean'])
def test_object_wise_reductions(how):
    cls_t, reg_t = get_heuristic('lis')(A, IOU, GIOU)
    cls, reg = reduce_terms(cls_t, reg_t, CARE, OBJ, how)
    assert cls.item() == pytest.approx(expected(how, CLS_GROUPS), rel=1e-5)
    assert reg.item() == pytest.approx(expected(how, REG_GROUPS), rel=1e-5)


def test_object_wise_mean_by_hand():
    cls_t, reg_t = get_heuristic('lis')(A, IOU, GIOU)
    cls, reg = reduce_terms(cls_t, reg_t, CARE, OBJ, 'mean')
    # CB = (0.10536 + 0.51083) / 2 = 0.30809
    # C0 = (0.69315 + 1.38629) / 2 = 1.03972; C1 = 0.22314
    assert cls.item() == pytest.approx((0.30809 + 1.03972 + 0.22314) / 3,
                                       abs=1e-4)
    assert reg.item() == pytest.approx((0.45 + 0.9 + 0.5) / 3, abs=1e-6)


def test_masked_mean():
    cls_t, reg_t = get_heuristic('lis')(A, IOU, GIOU)
    cls, reg = reduce_terms(cls_t, reg_t, CARE, OBJ, 'masked_mean')
    expect_cls = (-L(0.5) - L(0.25) - L(0.8) - L(0.9) - L(0.6)) / 5
    assert cls.item() == pytest.approx(expect_cls, rel=1e-5)
    assert reg.item() == pytest.approx((0.6 + 0.3 + 0.9 + 0.5) / 4, rel=1e-5)


def test_image_without_objects_has_regression_part_zero():
    obj = torch.full((1, 3), -1)
    care = torch.ones(1, 3, dtype=torch.bool)
    a = torch.tensor([[0.9, 0.8, 0.7]])
    cls_t, reg_t = get_heuristic('lis')(a, torch.zeros(1, 3),
                                        torch.zeros(1, 3))
    for how in ('mean', 'max', 'masked_mean'):
        cls, reg = reduce_terms(cls_t, reg_t, care, obj, how)
        assert reg.item() == 0
        if how != 'max':
            assert cls.item() == pytest.approx(
                (-L(0.9) - L(0.8) - L(0.7)) / 3, rel=1e-5)


def test_batch_rows_are_independent():
    cls_t, reg_t = get_heuristic('lis')(A, IOU, GIOU)
    two = [torch.cat([t, t.flip(1)]) for t in (cls_t, reg_t)]
    care2 = torch.cat([CARE, CARE.flip(1)])
    obj2 = torch.cat([OBJ, OBJ.flip(1)])
    cls, reg = reduce_terms(two[0], two[1], care2, obj2, 'mean')
    assert torch.allclose(cls[0], cls[1]) and torch.allclose(reg[0], reg[1])


def test_image_scores_from_logits_and_ir_variant():
    # logits whose softmax gives A as the probability of the target class:
    # two classes, target = background (index 1) everywhere except locations
    # 0..2 (class 0); softmax([log a, log(1 - a)]) = (a, 1 - a).
    labels = torch.tensor([[0, 0, 0, 1, 1, 1]])
    logits = torch.stack([torch.log(A), torch.log(1 - A)], -1)
    logits[0, 3:] = logits[0, 3:].flip(-1)
    # boxes with the given IoU to the unit target: a box (0, 0, w, 1)
    # inside the target (0, 0, 1, 1) has IoU = w and GIoU = w.
    target = torch.tensor([0., 0., 1., 1.]).expand(1, 6, 4)
    pred = target.clone()
    pred[..., 2] = torch.tensor([0.5, 0.75, 0.2, 1.0, 1.0, 0.6])
    a = softmax_target_prob(logits, labels)
    assert torch.allclose(a, A, atol=1e-6)
    iou, giou = aligned_overlaps(pred, target, OBJ)
    assert torch.allclose(iou, torch.where(OBJ >= 0, pred[..., 2], 0.0))
    ingredients = dict(a=a, iou=iou, giou=giou, care=CARE, obj_inds=OBJ)
    out = image_scores(ingredients, heuristic='error', reduction='mean')
    cls = (CB + C0 + C1) / 3
    reg = (-(L(0.5) + L(0.75)) / 2 - L(0.2) - L(0.6)) / 3
    assert out['cls'].item() == pytest.approx(cls, rel=1e-4)
    assert out['reg'].item() == pytest.approx(reg, rel=1e-4)
    assert out['score'].item() == pytest.approx(cls + reg, rel=1e-4)
    ir = image_scores(ingredients, heuristic='error', reduction='mean',
                      ignore_regression=True)
    assert ir['reg'].item() == 0
    assert ir['score'].item() == pytest.approx(cls, rel=1e-4)


def test_sigmoid_target_prob_on_positives_and_negatives():
    # 2 classes, 3 locations: class 0, class 1, background (label 2)
    logits = torch.tensor([[[2.0, -1.0], [0.5, -3.0], [-2.0, 1.0]]])
    labels = torch.tensor([[0, 1, 2]])
    a = sigmoid_target_prob(logits, labels)
    sig = torch.sigmoid
    expected = [sig(torch.tensor(2.0)), sig(torch.tensor(-3.0)),
                1 - sig(torch.tensor(1.0))]  # negative: 1 - max_c sigmoid
    assert torch.allclose(a[0], torch.stack(expected))
