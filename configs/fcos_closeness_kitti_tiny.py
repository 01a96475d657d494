# Threshold closeness (Chang et al. 2017; method.md "Note"), object-wise
# mean, on the bundled KITTI frames: the baseline plus the sampler, the
# head's scores and the hook. The best heuristic the underwater speed-up
# studies measured (README, "Does it pay?"); UIS as the thesis prints it is
# fcos_uis_kitti_tiny.py (the thesis reproduction).
_base_ = './fcos_uis_kitti_tiny.py'

custom_hooks = [dict(type='ImportanceSamplingHook', heuristic='closeness')]
