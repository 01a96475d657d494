# The thesis reproduction: UIS as printed, the slowest method measured
# (README, "Does it pay?"); the best is heuristic='closeness'.
# UIS on ZODFAR with an iteration-based schedule: the thesis' 350 epochs of
# 703 iterations as 246,050 iterations, validation and checkpoints every
# 3,515 (5 epochs). ImportanceIterBasedTrainLoop resumes the sampler exactly
# (mmengine's IterBasedTrainLoop would load and draw every trained batch
# again):  python3 tools/train.py configs/zod/fcos_uis_iter_zodfar.py --resume
_base_ = './fcos_uis_zodfar.py'

train_cfg = dict(
    _delete_=True,
    type='ImportanceIterBasedTrainLoop',
    max_iters=350 * 703,
    val_interval=5 * 703)
default_hooks = dict(
    checkpoint=dict(interval=5 * 703, by_epoch=False),
    logger=dict(log_metric_by_epoch=False))
log_processor = dict(by_epoch=False)
