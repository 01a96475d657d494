# The thesis reproduction: UIS as printed, the slowest method measured
# (README, "Does it pay?"); the best is heuristic='closeness'.
# UIS-RB (thesis 4.2.7, Algorithm 5): UIS scores, rejection-based sampling.
_base_ = './fcos_uis_underwater.py'

train_dataloader = dict(sampler=dict(policy=dict(mode='rejection')))
