# The thesis reproduction: UIS as printed, the slowest method measured
# (README, "Does it pay?"); the best is heuristic='closeness'.
# UIS with unbiased loss weights (Katharopoulos & Fleuret 2018): each
# image trained is weighted 1 / (N q_i), normalised to mean 1 over the
# global batch and clipped at 10 (README, "Unbiased sampling and annealing").
_base_ = './fcos_uis_underwater.py'

train_dataloader = dict(sampler=dict(policy=dict(unbiased=dict(max_weight=10.0))))
