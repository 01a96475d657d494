# Per-epoch selection after AFSS (arXiv 2603.17684) on the underwater images:
# each epoch trains 60 % of the images, chosen by the detection-quality
# score 1 - min(P, R) of the training pass (heuristic 'min_pr'):
# every hard image (score above the 60 % quantile), 40 % of the medium and
# 2 % of the easy ones (below the 30 % quantile), and every medium image at
# least every 3 epochs, every easy one at least every 10
# (mmdet_is/datasets/samplers/policies/tiers.py, TierPolicy).
_base_ = './fcos_baseline_underwater.py'

train_dataloader = dict(
    sampler=dict(
        _delete_=True,
        type='ImportanceSampler',
        batch_size={{_base_.train_dataloader.batch_size}},
        policy=dict(
            type='tiers',
            keep_ratio=0.6,
            quantiles=(0.3, 0.6),
            fractions=(0.4, 0.02),
            max_age=(3, 10)),
        score=dict(heuristic='min_pr')))
custom_hooks = [dict(type='ImportanceSamplingHook')]
