# Threshold closeness (Chang et al. 2017; method.md "Note"): the score grows
# towards a = 0.5, the opposite ranking of UIS as printed. Object-wise mean.
_base_ = './fcos_uis_underwater.py'

custom_hooks = [dict(type='ImportanceSamplingHook', heuristic='closeness')]
