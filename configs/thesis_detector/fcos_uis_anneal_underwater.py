# The thesis reproduction: UIS as printed, the slowest method measured
# (README, "Does it pay?"); the best is heuristic='closeness'.
# UIS annealed to uniform sampling (after InfoBatch, ICLR 2024): draws
# follow q = (1 - lam) p + lam / N with lam = 0 for the first 85 % of the
# iterations and 1 after (README, "Unbiased sampling and annealing").
_base_ = './fcos_uis_underwater.py'

train_dataloader = dict(
    sampler=dict(policy=dict(anneal=dict(begin=0.85, end=0.85))))
