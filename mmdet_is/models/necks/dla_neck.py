"""Deep Layer Aggregation neck: iterative deep aggregation (IDA) down to one map.

Source: Yu et al., "Deep Layer Aggregation", CVPR 2018, section 3.1 (IDA) and
the IDA-up tree of its dense-prediction decoder; thesis section 4.1.2 (the last
three ResNet stages, strides 8/16/32, aggregated to a single stride-8 map).
"""
from typing import List, Sequence, Tuple

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor

from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig


@MODELS.register_module()
class DLANeck(BaseModule):
    """Aggregates backbone stages iteratively into ONE map at the finest stride.

    Every input is first projected to ``out_channels`` by a 3x3 conv. Then, for
    ``n`` inputs, ``n - 1`` rounds of IDA-up run: round ``r`` walks from level
    ``n - r - 1`` to the deepest level, and each step upsamples the deeper
    aggregate to the next finer level, adds it, and applies an aggregation node
    (3x3 conv + norm + activation)::

        level j <- node_rj( up(level j) + level j-1 )

    so the deepest features pass through ``n - 1`` nodes and shallow features
    are merged at every scale (the IDA tree of DLA). The output is the deepest
    chain after the last round, at the stride of the first input.

    Args:
        in_channels (Sequence[int]): channels of the inputs, finest first, e.g.
            ``(64, 128, 256)`` for a half-width ResNet34 at strides 8/16/32.
        out_channels (int): channels of every aggregate and of the output.
        upsample_mode (str): ``'bilinear'`` or ``'nearest'`` for
            :func:`torch.nn.functional.interpolate` (no deformable or
            transposed convolutions).
        conv_cfg, norm_cfg, act_cfg: passed to :class:`mmcv.cnn.ConvModule`.

    Shapes:
        inputs: a tuple of ``n`` tensors ``(B, in_channels[i], H_i, W_i)`` with
        ``H_i = H_0 / 2**i`` (any rounding is absorbed by resizing to the finer
        map's exact size). Output: a 1-tuple ``((B, out_channels, H_0, W_0),)``.

    Raises:
        ValueError: fewer than two inputs configured, or a forward call whose
            number of inputs differs from ``len(in_channels)``.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: int,
                 upsample_mode: str = 'bilinear',
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=True),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 init_cfg: OptMultiConfig = dict(
                     type='Kaiming', layer='Conv2d', a=0, mode='fan_out',
                     nonlinearity='relu')) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(in_channels) < 2:
            raise ValueError(
                f'DLANeck needs at least two input levels, got in_channels='
                f'{tuple(in_channels)}')
        self.in_channels = tuple(in_channels)
        self.out_channels = out_channels
        self.upsample_mode = upsample_mode
        conv = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.lateral_convs = nn.ModuleList(
            ConvModule(c, out_channels, 3, padding=1, **conv)
            for c in self.in_channels)
        n = len(self.in_channels)
        # nodes[r][k] aggregates level (n - r - 1 + k) into the level above it.
        self.nodes = nn.ModuleList(
            nn.ModuleList(
                ConvModule(out_channels, out_channels, 3, padding=1, **conv)
                for _ in range(r + 1)) for r in range(n - 1))

    def _up_add(self, deep: Tensor, fine: Tensor) -> Tensor:
        size = fine.shape[-2:]
        align = False if self.upsample_mode == 'bilinear' else None
        return fine + F.interpolate(
            deep, size=size, mode=self.upsample_mode, align_corners=align)

    def forward(self, inputs: Tuple[Tensor, ...]) -> Tuple[Tensor]:
        """Aggregate ``inputs`` (finest first) into one map; see the class doc."""
        if len(inputs) != len(self.in_channels):
            raise ValueError(
                f'DLANeck was built for {len(self.in_channels)} inputs but got '
                f'{len(inputs)}; check the backbone out_indices')
        levels: List[Tensor] = [
            lateral(x) for lateral, x in zip(self.lateral_convs, inputs)]
        n = len(levels)
        for r, round_nodes in enumerate(self.nodes):
            start = n - r - 1
            for k, node in enumerate(round_nodes):
                j = start + k
                levels[j] = node(self._up_add(levels[j], levels[j - 1]))
        return (levels[-1], )
