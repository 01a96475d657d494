# The thesis' optimiser (adam_thesis.py: Adam, lr 1e-3) with a schedule
# that converges: a linear warm-up over the first epoch, then cosine decay
# to 1 % of the rate at the last epoch, both in epochs converted to
# iterations (as mmdet's RTMDet configs decay), so that a run with shorter
# epochs (a selection policy) runs the same schedule over its own
# iterations. A config that changes the number of epochs sets both:
#   train_cfg.max_epochs=E param_scheduler.1.end=E
_base_ = './adam_thesis.py'

max_epochs = 16
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min_ratio=0.01, by_epoch=True,
         begin=1, end=max_epochs, convert_to_iter_based=True)
]
