# LIS (thesis 4.2.3: the loss as the score, object-wise mean reduction).
_base_ = './fcos_uis_kitti_tiny.py'

custom_hooks = [dict(type='ImportanceSamplingHook', heuristic='lis')]
