"""Hooks that break a training run on purpose, for the tests of what the
plugin does then; a module of its own so that a training run in a
subprocess imports it (``custom_imports``, ``PYTHONPATH=tests``)."""
import torch
from mmengine.hooks import Hook

from mmdet.registry import HOOKS


@HOOKS.register_module()
class _NanLossAtHook(Hook):
    """Reports a NaN loss at the given iterations, as mmengine's
    RuntimeInfoHook would put it in the message hub (the weights stay
    finite: the step itself trained on a finite loss)."""
    priority = 'ABOVE_NORMAL'

    def __init__(self, iterations=()):
        self.iterations = set(iterations)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter in self.iterations:
            runner.message_hub.update_scalar('train/loss', float('nan'))


@HOOKS.register_module()
class _NanWeightsAtHook(Hook):
    """Turns one weight tensor of the model NaN after the given iteration
    (what a learning rate far too high does, on a chosen step)."""
    priority = 'LOW'

    def __init__(self, iteration):
        self.iteration = iteration

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter == self.iteration:
            with torch.no_grad():
                next(runner.model.parameters()).fill_(float('nan'))
