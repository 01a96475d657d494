# The thesis reproduction: UIS as printed, the slowest method measured
# (README, "Does it pay?"); the best is heuristic='closeness'.
# UIS (thesis eq. 4.5, object-wise mean reduction) on ZODFAR, the thesis'
# best sampler:
#   mim train mmdet configs/zod/fcos_uis_zodfar.py
# The baseline plus the sampler (drawing by the UIS score) and the hook.
_base_ = './fcos_baseline_zodfar.py'

train_dataloader = dict(
    sampler=dict(
        _delete_=True,
        type='ImportanceSampler',
        batch_size={{_base_.train_dataloader.batch_size}},
        policy=dict(type='importance'),
        score=dict(heuristic='uis', reduction='mean')))
custom_hooks = [dict(type='ImportanceSamplingHook')]
