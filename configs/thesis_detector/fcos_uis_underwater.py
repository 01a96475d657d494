# The thesis reproduction: UIS as printed, the slowest method measured
# (README, "Does it pay?"); the best is heuristic='closeness'.
# UIS as printed (thesis eq. 4.5), object-wise mean, on the underwater images:
# the baseline plus the three importance-sampling settings.
_base_ = './fcos_closeness_underwater.py'

train_dataloader = dict(
    sampler=dict(score=dict(heuristic='uis', reduction='mean')))
