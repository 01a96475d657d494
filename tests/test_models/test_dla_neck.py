import pytest
import torch

from mmdet.registry import MODELS


def test_dla_neck_one_stride8_map():
    neck = MODELS.build(
        dict(type='DLANeck', in_channels=[64, 128, 256], out_channels=32))
    feats = (torch.rand(2, 64, 48, 80), torch.rand(2, 128, 24, 40),
             torch.rand(2, 256, 12, 20))
    outs = neck(feats)
    assert len(outs) == 1
    assert outs[0].shape == (2, 32, 48, 80)
    # IDA tree for three levels: 1 node in round 0, 2 in round 1.
    assert [len(r) for r in neck.nodes] == [1, 2]


def test_dla_neck_after_half_width_resnet34_is_stride_8():
    backbone = MODELS.build(
        dict(type='ResNet', depth=34, base_channels=32, out_indices=(1, 2, 3),
             frozen_stages=-1, norm_eval=False))
    neck = MODELS.build(
        dict(type='DLANeck', in_channels=[64, 128, 256], out_channels=16))
    img = torch.rand(1, 3, 96, 320)
    feats = backbone(img)
    assert [f.shape[1] for f in feats] == [64, 128, 256]
    (out, ) = neck(feats)
    assert out.shape == (1, 16, 96 // 8, 320 // 8)


def test_dla_neck_every_input_reaches_the_output():
    neck = MODELS.build(
        dict(type='DLANeck', in_channels=[8, 8, 8], out_channels=8))
    feats = [torch.rand(1, 8, 16 // 2**i, 16 // 2**i, requires_grad=True)
             for i in range(3)]
    neck(feats)[0].sum().backward()
    assert all(f.grad.abs().sum() > 0 for f in feats)


def test_dla_neck_rejects_wrong_number_of_inputs():
    neck = MODELS.build(
        dict(type='DLANeck', in_channels=[8, 8, 8], out_channels=8))
    with pytest.raises(ValueError, match='3 inputs but got 2'):
        neck((torch.rand(1, 8, 8, 8), torch.rand(1, 8, 4, 4)))
    with pytest.raises(ValueError, match='at least two'):
        MODELS.build(dict(type='DLANeck', in_channels=[8], out_channels=8))
