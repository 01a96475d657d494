# Threshold closeness (Chang et al. 2017; docs/method.md "Note"): the score grows
# towards a = 0.5, the opposite ranking of UIS as printed. Object-wise mean.
_base_ = './fcos_baseline_underwater.py'

train_dataloader = dict(
    sampler=dict(
        _delete_=True,
        type='ImportanceSampler',
        batch_size={{_base_.train_dataloader.batch_size}},
        policy=dict(type='importance'),
        score=dict(heuristic='closeness', reduction='mean')))
custom_hooks = [dict(type='ImportanceSamplingHook')]
