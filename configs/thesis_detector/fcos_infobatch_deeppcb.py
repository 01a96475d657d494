# InfoBatch (Qin et al., ICLR 2024) at 60 % of the images per epoch: every
# image whose loss (LIS, object-wise mean) is at or above the mean is kept,
# a random part of the rest fills the budget with its loss weighted up by
# the inverse of that part; the last 12.5 % of the epochs draw uniformly
# (mmdet_is/datasets/samplers/policies/infobatch.py, InfoBatchPolicy).
_base_ = './fcos_tiers_deeppcb.py'

train_dataloader = dict(
    sampler=dict(
        policy=dict(
            _delete_=True,
            type='infobatch',
            keep_ratio=0.6,
            final_fraction=0.125),
        score=dict(heuristic='lis', reduction='mean')))
