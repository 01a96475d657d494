"""Importance ingredients of stock mmdet heads through their adapters.

A tiny case per head: every conv weight 0, so every location predicts the
classification biases (class 0: B0, class 1: B1) and a box known by hand
from its prior; two objects of different classes. Then

* ``a`` is ``sigmoid(B_c)`` at a location assigned to an object of class c
  (which checks the object index against the head's own labels) and
  ``1 - max(sigmoid(B0), sigmoid(B1))`` on negatives;
* LIS with the object-wise mean (thesis 4.2.4) is, by hand,
  ``(-log a_neg - log sigmoid(B0) - log sigmoid(B1)) / 3`` for the
  classification part, and for the regression part the mean over the two
  objects of the mean ``1 - GIoU`` of the hand-decoded boxes at their
  locations (a brute-force loop).
"""
import math

import pytest
import torch
from mmengine.structures import InstanceData

from mmdet.registry import MODELS
from mmdet_is.scoring import attach_ingredients, find_adapter, image_scores

STRIDES = [8, 16]
IMG_H, IMG_W = 64, 96
B0, B1 = -1.0, 0.5
GN = dict(type='GN', num_groups=4, requires_grad=True)
COMMON = dict(num_classes=2, in_channels=8, feat_channels=8, stacked_convs=1)
FOCAL = dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
             loss_weight=1.0)
QFL = dict(type='QualityFocalLoss', use_sigmoid=True, beta=2.0,
           loss_weight=1.0)
ATSS_TRAIN = dict(assigner=dict(type='ATSSAssigner', topk=9),
                  allowed_border=-1, pos_weight=-1, debug=False)


def anchors(scale):
    return dict(type='AnchorGenerator', ratios=[1.0], octave_base_scale=scale,
                scales_per_octave=1, strides=STRIDES)


HEADS = {
    'RetinaHead': dict(
        anchor_generator=anchors(4),
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.] * 4,
                        target_stds=[1.] * 4),
        loss_cls=FOCAL, loss_bbox=dict(type='L1Loss'),
        train_cfg=dict(
            assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5,
                          neg_iou_thr=0.4, min_pos_iou=0, ignore_iof_thr=-1),
            sampler=dict(type='PseudoSampler'), allowed_border=-1,
            pos_weight=-1, debug=False)),
    'ATSSHead': dict(
        anchor_generator=anchors(4), norm_cfg=GN,
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.] * 4,
                        target_stds=[0.1, 0.1, 0.2, 0.2]),
        loss_cls=FOCAL, loss_bbox=dict(type='GIoULoss'),
        train_cfg=ATSS_TRAIN),
    'GFLHead': dict(
        anchor_generator=anchors(4), norm_cfg=GN, reg_max=4, loss_cls=QFL,
        loss_dfl=dict(type='DistributionFocalLoss', loss_weight=0.25),
        loss_bbox=dict(type='GIoULoss'), train_cfg=ATSS_TRAIN),
    'RTMDetHead': dict(
        with_objectness=False, norm_cfg=GN,
        anchor_generator=dict(type='MlvlPointGenerator', offset=0,
                              strides=STRIDES),
        bbox_coder=dict(type='DistancePointBBoxCoder'), loss_cls=QFL,
        loss_bbox=dict(type='GIoULoss'),
        train_cfg=dict(
            assigner=dict(type='DynamicSoftLabelAssigner', topk=13),
            allowed_border=-1, pos_weight=-1, debug=False)),
    'FCOSHead': dict(
        strides=STRIDES, norm_cfg=GN, regress_ranges=((-1, 32), (32, 1e8)),
        norm_on_bbox=True, centerness_on_reg=True, loss_cls=FOCAL,
        loss_bbox=dict(type='GIoULoss'),
        loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True)),
}
CLS_CONV = dict(RetinaHead='retina_cls', ATSSHead='atss_cls',
                GFLHead='gfl_cls', RTMDetHead='rtm_cls', FCOSHead='conv_cls')
GTS = [InstanceData(bboxes=torch.tensor([[10., 8., 42., 40.],
                                         [50., 20., 90., 60.]]),
                    labels=torch.tensor([0, 1])),
       InstanceData(bboxes=torch.tensor([[30., 4., 70., 36.]]),
                    labels=torch.tensor([1]))]
META = [dict(img_shape=(IMG_H, IMG_W), pad_shape=(IMG_H, IMG_W),
             batch_input_shape=(IMG_H, IMG_W))] * 2


def build(name, zero=False):
    torch.manual_seed(0)
    head = MODELS.build(dict(type=name, **COMMON, **HEADS[name]))
    head.init_weights()
    if zero:
        with torch.no_grad():
            for m in head.modules():
                if isinstance(m, torch.nn.Conv2d):
                    m.weight.zero_()
                    if m.bias is not None:
                        m.bias.zero_()
            getattr(head, CLS_CONV[name]).bias.copy_(torch.tensor([B0, B1]))
    attach_ingredients(head)
    return head


def features(batch=1):
    torch.manual_seed(1)
    return [torch.randn(batch, 8, IMG_H // s, IMG_W // s) for s in STRIDES]


def step(head, outs, gts, metas):
    head.loss_by_feat(*outs, gts, metas)
    return head.importance_tap.pop()


def hand_boxes(name, head):
    """(P, 4) boxes a zero-weight head predicts, from its priors."""
    sizes = [(IMG_H // s, IMG_W // s) for s in STRIDES]
    priors = head.prior_generator.grid_priors(sizes, device='cpu')
    out = []
    for level, s in zip(priors, STRIDES):
        if name in ('RetinaHead', 'ATSSHead'):  # deltas 0: the anchor
            out.append(level)
            continue
        if level.size(1) == 4:  # anchors: their centres
            level = (level[:, :2] + level[:, 2:]) / 2
        cx, cy = level[:, 0], level[:, 1]
        # side distance: GFL uniform over 0..reg_max strides -> reg_max / 2
        # strides; RTMDet exp(0) = 1 stride; FCOS relu(0) = 0
        d = (head.reg_max / 2 * s if name == 'GFLHead' else
             s if name == 'RTMDetHead' else 0.)
        out.append(torch.stack([cx - d, cy - d, cx + d, cy + d], 1))
    return torch.cat(out)


def giou(p, t):
    """GIoU of two boxes, by the definition (Rezatofighi et al. 2019)."""
    iw = max(0., min(p[2], t[2]) - max(p[0], t[0]))
    ih = max(0., min(p[3], t[3]) - max(p[1], t[1]))
    inter = iw * ih
    union = (p[2] - p[0]) * (p[3] - p[1]) + (t[2] - t[0]) * (t[3] - t[1]) \
        - inter
    hull = (max(p[2], t[2]) - min(p[0], t[0])) * \
        (max(p[3], t[3]) - min(p[1], t[1]))
    return inter / union - (hull - union) / hull


@pytest.mark.parametrize('name', sorted(HEADS))
def test_lis_of_a_zero_weight_head_by_hand(name):
    head = build(name, zero=True)
    ing = step(head, head(features()), GTS[:1], META[:1])
    obj, a, care = ing['obj_inds'][0], ing['a'][0], ing['care'][0]
    s0, s1 = torch.sigmoid(torch.tensor([B0, B1])).tolist()
    pos = obj >= 0
    assert pos.any() and (~pos & care).any()
    assert set(obj[pos].tolist()) == {0, 1}  # each object has locations
    # a on positives: sigmoid of the bias of the assigned object's class
    expected = torch.tensor([s0, s1])[GTS[0].labels[obj[pos]]]
    assert torch.allclose(a[pos], expected, atol=1e-6)
    # a on negatives: 1 - max_c sigmoid, in [0, 1]
    assert torch.allclose(a[~pos], torch.full_like(a[~pos], 1 - s1),
                          atol=1e-6)
    assert ((a >= 0) & (a <= 1)).all()
    assert ing['num_objects'] == 2

    terms = image_scores(ing, heuristic='lis', reduction='mean')
    cls = (-math.log(1 - s1) - math.log(s0) - math.log(s1)) / 3
    assert terms['cls'].item() == pytest.approx(cls, rel=1e-5)
    boxes = hand_boxes(name, head).tolist()
    gt = GTS[0].bboxes.tolist()
    per_object = []
    for k in (0, 1):
        locs = [i for i, o in enumerate(obj.tolist()) if o == k]
        per_object.append(
            sum(1 - giou(boxes[i], gt[k]) for i in locs) / len(locs))
    assert terms['reg'].item() == pytest.approx(sum(per_object) / 2,
                                                rel=1e-4, abs=1e-5)


@pytest.mark.parametrize('name', sorted(HEADS))
def test_scores_of_a_batch_equal_each_image_alone(name):
    head = build(name)
    outs = head(features(batch=3))
    empty = InstanceData(bboxes=torch.zeros(0, 4),
                         labels=torch.zeros(0, dtype=torch.long))
    gts, metas = GTS + [empty], META + META[:1]
    batch = image_scores(step(head, outs, gts, metas), heuristic='uis')
    for i in range(3):
        alone_outs = [[level[i:i + 1] for level in out] for out in outs]
        alone = image_scores(
            step(head, alone_outs, gts[i:i + 1], metas[i:i + 1]),
            heuristic='uis')
        assert alone['score'].item() == pytest.approx(
            batch['score'][i].item(), rel=1e-5)
    assert torch.isfinite(batch['score']).all()
    assert batch['reg'][2] == 0  # no objects: no regression part


def test_attaching_twice_wraps_once_and_unadapted_heads_are_named():
    head = build('RetinaHead')
    wrapped, tap = head.loss_by_feat, head.importance_tap
    assert attach_ingredients(head) is tap
    assert head.loss_by_feat is wrapped
    with pytest.raises(TypeError, match='no importance adapter for YOLOV3'):
        find_adapter(MODELS.get('YOLOV3Head'))
