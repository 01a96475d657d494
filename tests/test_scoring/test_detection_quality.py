"""The detection-quality score 1 - min(P, R) against hand-worked cases:
ingredients written by hand, the FCOSSoftmaxHead tiny case of its own
tests, and a zero-weight RetinaNet head (sigmoid) through its adapter."""
import math

import pytest
import torch
from mmengine.structures import InstanceData

from mmdet.registry import MODELS
from mmdet_is.scoring import (attach_ingredients, image_scores,
                              precision_recall_proxies)
from test_adapters import B0, B1, GTS, META, build, features, hand_boxes


def iou(p, t):
    iw = max(0., min(p[2], t[2]) - max(p[0], t[0]))
    ih = max(0., min(p[3], t[3]) - max(p[1], t[1]))
    inter = iw * ih
    return inter / ((p[2] - p[0]) * (p[3] - p[1]) +
                    (t[2] - t[0]) * (t[3] - t[1]) - inter)


def test_proxies_of_hand_written_ingredients():
    # image 0: object 0 at locations 0, 1; object 1 at location 2; a
    # don't-care box (object 2, care False) at 3; background at 4, 5.
    # image 1: background only, nothing confident.
    ing = dict(
        a=torch.tensor([[.8, .3, .6, .9, .3, .9], [.9] * 6]),
        fg=torch.tensor([[.85, .6, .7, .95, .7, .1], [.1] * 6]),
        iou=torch.tensor([[.7, .9, .4, .8, 0., 0.], [0.] * 6]),
        giou=torch.zeros(2, 6),
        care=torch.tensor([[1, 1, 1, 0, 1, 1], [1] * 6]).bool(),
        obj_inds=torch.tensor([[0, 0, 1, 2, -1, -1], [-1] * 6]),
        num_objects=3)
    precision, recall = precision_recall_proxies(ing)
    # recall: object 0 is found at location 0 (a .8, IoU .7); object 1's
    # only location has IoU .4; the don't-care box is no object: 1 / 2.
    # precision: confident and cared are locations 0, 1, 2, 4; on an object
    # with IoU >= .5 are 0 and 1: 2 / 4. Image 1: nothing to find, nothing
    # confident: P = R = 1.
    assert precision.tolist() == [0.5, 1.0]
    assert recall.tolist() == [0.5, 1.0]
    terms = image_scores(ing, heuristic='min_pr')
    assert terms['score'].tolist() == [0.5, 0.0]
    assert set(terms) == {'precision', 'recall', 'score'}


# FCOSSoftmaxHead's own tiny case (tests/test_models/test_fcos_softmax_head):
# a 1 x 3 map at stride 8, one object (class 0) at location 0, background
# at 1, a don't-care box at 2
GT = InstanceData(bboxes=torch.tensor([[0., 0., 8., 8.]]),
                  labels=torch.tensor([0]))
DONTCARE = InstanceData(bboxes=torch.tensor([[16., 0., 24., 8.]]))


def softmax_head_score(cls, box):
    head = MODELS.build(
        dict(type='FCOSSoftmaxHead', num_classes=1, in_channels=8,
             feat_channels=8, stacked_convs=1, strides=(8, ), norm_cfg=None))
    tap = attach_ingredients(head)
    meta = dict(img_shape=(8, 24), pad_shape=(8, 24))
    head.loss_by_feat([cls], [box], [GT], [meta], [DONTCARE])
    return image_scores(tap.pop(), heuristic='min_pr')


def test_softmax_head_worked_by_hand():
    # logits (object, background) and (l, t, r, b) in strides per location
    cls = torch.tensor([[1., 0.], [0., 2.], [5., -5.]]).T.reshape(1, 2, 1, 3)
    box = torch.tensor([[0.25, .5, .5, .5], [1., 1., 1., 1.],
                        [0.7, .5, .5, .5]]).T.reshape(1, 4, 1, 3)
    # location 0 (object, class 0): softmax of logits (1, 0): a = fg =
    # e / (e + 1) = 0.73, IoU 0.75 (see test_fcos_softmax_head): found and
    # well placed. Location 1 (background, logits (0, 2)): fg = 1 /
    # (1 + e^2) = 0.12, not confident. Location 2 is don't-care. P = R = 1.
    terms = softmax_head_score(cls, box)
    assert terms['precision'].item() == 1 and terms['recall'].item() == 1
    assert terms['score'].item() == 0
    # background location 1 made confident: logits (2, 0), fg = 0.88:
    # one of two confident locations is wrong, P = 1 / 2
    cls = cls.detach().clone()
    cls[0, :, 0, 1] = torch.tensor([2., 0.])
    terms = softmax_head_score(cls, box)
    assert terms['precision'].item() == 0.5 and terms['recall'].item() == 1
    assert terms['score'].item() == 0.5
    # and location 0's box blown up to sides of 2 strides: IoU 1 / 16 with
    # its 1 x 1 target: the object is missed (R = 0), nothing confident is
    # well placed (P = 0)
    box = box.detach().clone()
    box[0, :, 0, 0] = 2.0
    terms = softmax_head_score(cls, box)
    assert terms['precision'].item() == 0 and terms['recall'].item() == 0
    assert terms['score'].item() == 1


def test_sigmoid_stock_head_worked_by_hand():
    """RetinaNet with every conv weight 0: each anchor predicts itself as
    its box and the class biases B0 = -1, B1 = 0.5 (sigmoid 0.27, 0.62), so
    every cared location is confident (max 0.62 >= 0.5). Object 0 (class
    0, a = 0.27) is never found; object 1 (class 1, a = 0.62) is found when
    one of its anchors has IoU >= 0.5 with it. Precision: the cared anchors
    assigned to an object with IoU >= 0.5, over all cared anchors, by a
    brute-force loop over the anchors."""
    head = build('RetinaHead', zero=True)
    head.loss_by_feat(*head(features()), GTS[:1], META[:1])
    ing = head.importance_tap.pop()
    s1 = 1 / (1 + math.exp(-B1))
    assert 1 / (1 + math.exp(-B0)) < 0.5 <= s1
    anchors = hand_boxes('RetinaHead', head).tolist()
    gt = GTS[0].bboxes.tolist()
    obj, care = ing['obj_inds'][0].tolist(), ing['care'][0].tolist()
    good = [c and o >= 0 and iou(anchors[i], gt[o]) >= 0.5
            for i, (o, c) in enumerate(zip(obj, care))]
    found_1 = any(g and o == 1 for g, o in zip(good, obj))
    assert found_1
    terms = image_scores(ing, heuristic='min_pr')
    assert terms['recall'].item() == 0.5
    assert terms['precision'].item() == pytest.approx(sum(good) / sum(care))
    assert terms['score'].item() == pytest.approx(
        1 - min(0.5, sum(good) / sum(care)))
