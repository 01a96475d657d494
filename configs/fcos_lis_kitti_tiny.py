# LIS (thesis 4.2.3: the loss as the score, object-wise mean reduction).
_base_ = './fcos_uis_kitti_tiny.py'

model = dict(bbox_head=dict(importance_cfg=dict(heuristic='lis')))
