# LIS (thesis 4.2.3: the loss as the score, object-wise mean reduction).
_base_ = './fcos_closeness_kitti_tiny.py'

train_dataloader = dict(
    sampler=dict(score=dict(heuristic='lis', reduction='mean')))
