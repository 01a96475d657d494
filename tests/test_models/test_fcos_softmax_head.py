import math

import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData

from mmdet.registry import MODELS
from mmdet_is.models.utils import IMPORTANCE_WEIGHT_KEY


def build_head(num_classes=1, **kwargs):
    head = MODELS.build(
        dict(type='FCOSSoftmaxHead', num_classes=num_classes, in_channels=8,
             feat_channels=8, stacked_convs=1, strides=(8, ),
             norm_cfg=None, **kwargs))
    head.init_weights()
    return head


# A 1 x 3 map at stride 8: points (4, 4), (12, 4), (20, 4) pixels.
GT = InstanceData(bboxes=torch.tensor([[0., 0., 8., 8.]]),
                  labels=torch.tensor([0]))
DONTCARE = InstanceData(bboxes=torch.tensor([[16., 0., 24., 8.]]))
META = [dict(img_shape=(8, 24), pad_shape=(8, 24))]


def tiny_case():
    # logits (fg, bg) per location
    cls = torch.tensor([[1., 0.], [0., 2.], [5., -5.]]).T.reshape(1, 2, 1, 3)
    # (l, t, r, b) in stride units per location
    box = torch.tensor([[0.25, .5, .5, .5], [1., 1., 1., 1.],
                        [0.7, .5, .5, .5]]).T.reshape(1, 4, 1, 3)
    return cls.requires_grad_(), box.requires_grad_()


def test_loss_matches_hand_computation():
    head = build_head()
    cls, box = tiny_case()
    losses = head.loss_by_feat([cls], [box], [GT], META, [DONTCARE])
    # Location 0 is in the GT box (class 0); location 1 is background;
    # location 2 is in the don't-care box: no CE, but a box target.
    # CE0 = -log(e^1 / (e^1 + e^0)) = log(1 + e^-1)
    # CE1 = -log(e^2 / (e^0 + e^2)) = log(1 + e^-2); N_care = 2
    ce = (math.log(1 + math.exp(-1)) + math.log(1 + math.exp(-2))) / 2
    assert losses['loss_cls'].item() == pytest.approx(ce, abs=1e-6)
    # Boxes in stride units. Loc 0, point (0.5, 0.5): target (0, 0, 1, 1),
    # prediction (0.25, 0, 1, 1): IoU = 0.75 / 1, hull = target -> GIoU 0.75.
    # Loc 2, point (2.5, 0.5): target (2, 0, 3, 1), prediction
    # (1.8, 0, 3, 1) of area 1.2 holds the target: IoU = 1 / 1.2 and the hull
    # is the prediction -> GIoU = 1 / 1.2. N_pos = 2 (don't-care counts).
    giou = ((1 - 0.75) + (1 - 1 / 1.2)) / 2
    assert losses['loss_bbox'].item() == pytest.approx(giou, abs=1e-5)


def test_dontcare_gets_box_gradient_but_no_class_gradient():
    head = build_head()
    cls, box = tiny_case()
    losses = head.loss_by_feat([cls], [box], [GT], META, [DONTCARE])
    (losses['loss_cls'] + losses['loss_bbox']).backward()
    cls_grad = cls.grad.reshape(2, 3)
    box_grad = box.grad.reshape(4, 3)
    assert torch.all(cls_grad[:, 2] == 0)  # don't-care location
    assert box_grad[:, 2].abs().sum() > 0
    assert cls_grad[:, :2].abs().sum(0).min() > 0
    assert torch.all(box_grad[:, 1] == 0)  # background: no box loss


def test_without_dontcare_the_location_is_background():
    head = build_head()
    cls, box = tiny_case()
    losses = head.loss_by_feat([cls], [box], [GT], META, None)
    # CE2 = -log(e^-5 / (e^5 + e^-5)) = log(1 + e^10); N_care = 3
    ce = (math.log(1 + math.exp(-1)) + math.log(1 + math.exp(-2)) +
          math.log(1 + math.exp(10))) / 3
    assert losses['loss_cls'].item() == pytest.approx(ce, abs=1e-5)
    assert losses['loss_bbox'].item() == pytest.approx(0.25, abs=1e-5)


def test_bias_init_gives_the_background_prior():
    head = build_head(num_classes=4, prior_prob=0.02)
    feats = (torch.zeros(1, 8, 3, 5), )
    cls_scores, bbox_preds = head(feats)
    probs = cls_scores[0].softmax(1)[0, :, 1, 2]
    # zero features -> logits = bias: softmax = (0.02 / 4, ..., 0.98)
    assert torch.allclose(probs, torch.tensor([0.005] * 4 + [0.98]))
    # an image without objects: CE = -log(0.98) everywhere
    empty = InstanceData(bboxes=torch.zeros(0, 4),
                         labels=torch.zeros(0, dtype=torch.long))
    losses = head.loss_by_feat(cls_scores, bbox_preds, [empty],
                               [dict(img_shape=(24, 40))])
    assert losses['loss_cls'].item() == pytest.approx(-math.log(0.98),
                                                      rel=1e-5)
    assert losses['loss_bbox'].item() == 0
    assert (bbox_preds[0] >= 0).all()


def test_predict_decodes_stride_units_to_pixels():
    head = build_head(test_cfg=ConfigDict(
        nms_pre=100, score_thr=0.5, nms=dict(type='nms', iou_threshold=0.5),
        max_per_img=10))
    cls, box = tiny_case()
    results = head.predict_by_feat([cls.detach()], [box.detach()],
                                   batch_img_metas=META, rescale=False)
    # Location 2 has p(class 0) = e^5 / (e^5 + e^-5) > 0.5 and location 0 has
    # e / (e + 1) = 0.731; location 1 is background (p = 0.119).
    r = results[0]
    assert len(r) == 2
    boxes = {round(s, 4): b.tolist() for s, b in zip(r.scores.tolist(),
                                                     r.bboxes)}
    # loc 0: point (4, 4), distances (0.25, .5, .5, .5) * 8 px
    assert boxes[round(math.e / (math.e + 1), 4)] == pytest.approx(
        [2., 0., 8., 8.])
    # loc 2: point (20, 4), distances (0.7, .5, .5, .5) * 8 px
    assert boxes[round(1 / (1 + math.exp(-10)), 4)] == pytest.approx(
        [14.4, 0., 24., 8.])


def test_rejects_sigmoid_loss():
    with pytest.raises(ValueError, match='softmax'):
        build_head(loss_cls=dict(type='FocalLoss', use_sigmoid=True))


def test_importance_ingredients_published_from_the_loss_step():
    from mmdet_is.scoring import attach_ingredients, image_scores
    head = build_head()
    cls, box = tiny_case()
    head.loss_by_feat([cls], [box], [GT], META, [DONTCARE])
    assert head.importance_tap is None  # off until a hook attaches
    tap = attach_ingredients(head)
    assert attach_ingredients(head) is tap is head.importance_tap
    losses = head.loss_by_feat([cls], [box], [GT], META, [DONTCARE])
    ingredients = tap.pop()
    assert ingredients['num_objects'] == len(GT) + len(DONTCARE)
    terms = image_scores(ingredients, heuristic='lis',
                         reduction='masked_mean')
    # LIS with the masked mean over cared locations is the CE of eq. 4.1 for
    # one image; over positive locations the GIoU loss term.
    assert terms['cls'].item() == pytest.approx(losses['loss_cls'].item(),
                                                abs=1e-5)
    assert terms['reg'].item() == pytest.approx(losses['loss_bbox'].item(),
                                                abs=1e-5)
    assert not terms['score'].requires_grad
    assert tap.pop() is None


def test_works_with_stock_fpn_and_several_strides():
    head = MODELS.build(
        dict(type='FCOSSoftmaxHead', num_classes=2, in_channels=8,
             feat_channels=8, stacked_convs=1, strides=(8, 16, 32),
             assigner=dict(type='DontCarePointAssigner',
                           regress_ranges=[(0, 32), (32, 64), (64, 1e8)])))
    fpn = MODELS.build(
        dict(type='FPN', in_channels=[64, 128, 256], out_channels=8,
             num_outs=3))
    feats = fpn((torch.rand(1, 64, 16, 16), torch.rand(1, 128, 8, 8),
                 torch.rand(1, 256, 4, 4)))
    cls_scores, bbox_preds = head(feats)
    assert [c.shape[-1] for c in cls_scores] == [16, 8, 4]
    gt = InstanceData(bboxes=torch.tensor([[10., 10., 30., 30.],
                                           [0., 0., 120., 120.]]),
                      labels=torch.tensor([0, 1]))
    losses = head.loss_by_feat(cls_scores, bbox_preds, [gt],
                               [dict(img_shape=(128, 128))])
    total = losses['loss_cls'] + losses['loss_bbox']
    total.backward()
    assert torch.isfinite(total) and losses['loss_bbox'] > 0


def test_dla_neck_with_stock_fcos_head():
    neck = MODELS.build(
        dict(type='DLANeck', in_channels=[16, 32, 64], out_channels=32))
    head = MODELS.build(
        dict(type='FCOSHead', num_classes=2, in_channels=32, feat_channels=32,
             stacked_convs=1, strides=(8, ), regress_ranges=((-1, 1e8), )))
    feats = neck((torch.rand(1, 16, 16, 16), torch.rand(1, 32, 8, 8),
                  torch.rand(1, 64, 4, 4)))
    cls_scores, bbox_preds, centernesses = head(feats)
    gt = InstanceData(bboxes=torch.tensor([[10., 10., 60., 60.]]),
                      labels=torch.tensor([1]))
    losses = head.loss_by_feat(cls_scores, bbox_preds, centernesses, [gt],
                               [dict(img_shape=(128, 128))])
    assert all(torch.isfinite(v) for v in losses.values())
    assert losses['loss_bbox'] > 0


@pytest.mark.parametrize('heuristic,reduction', [('uis', 'mean'),
                                                 ('lis', 'masked_mean'),
                                                 ('closeness', 'max')])
def test_loss_step_reads_no_value_on_the_host(heuristic, reduction):
    """The loss, its targets (``assign_batch``'s default on a GPU) and the
    importance scores run on the meta device, where any step that needs a
    tensor's value on the host (``.item()``, ``if tensor``, a data-dependent
    shape such as ``x[mask]``) raises: on a GPU none of them waits."""
    from mmdet_is.scoring import attach_ingredients, image_scores
    head = build_head(num_classes=3).to('meta')
    tap = attach_ingredients(head)
    cls = torch.empty(2, 4, 6, 20, device='meta', requires_grad=True)
    box = torch.empty(2, 4, 6, 20, device='meta', requires_grad=True)
    gts = [InstanceData(bboxes=torch.empty(n, 4, device='meta'),
                        labels=torch.empty(n, dtype=torch.long,
                                           device='meta')) for n in (3, 0)]
    ignores = [InstanceData(bboxes=torch.empty(2, 4, device='meta')), None]
    metas = [{'img_shape': (48, 160), IMPORTANCE_WEIGHT_KEY: 0.5}] * 2
    losses = head.loss_by_feat([cls], [box], gts, metas, ignores)
    (losses['loss_cls'] + losses['loss_bbox']).backward()
    assert losses['loss_bbox'].shape == () and box.grad.shape == box.shape
    terms = image_scores(tap.pop(), heuristic=heuristic,
                         reduction=reduction)
    assert terms['score'].shape == (2, )
