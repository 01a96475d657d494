# LIS (thesis 4.2.3: the loss as the score, object-wise mean) on ZODFAR.
_base_ = './fcos_uis_zodfar.py'

custom_hooks = [dict(type='ImportanceSamplingHook', heuristic='lis')]
