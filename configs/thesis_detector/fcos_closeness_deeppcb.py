# Threshold closeness (Chang et al. 2017; docs/method.md "Note") on the DeepPCB
# defect images: importance sampling with replacement at the full number of
# iterations, p ∝ the smoothed score (thesis eqs. 4.2, 4.3), object-wise
# mean. The best arm of the underwater time-to-accuracy study.
_base_ = './fcos_baseline_deeppcb.py'

train_dataloader = dict(
    sampler=dict(
        _delete_=True,
        type='ImportanceSampler',
        batch_size={{_base_.train_dataloader.batch_size}},
        policy=dict(type='importance'),
        score=dict(heuristic='closeness', reduction='mean')))
custom_hooks = [dict(type='ImportanceSamplingHook')]
