"""A ``data_root`` override that does not reach the dataloaders, said at
start-up instead of training silently on the default data."""
import logging
import os.path as osp
from typing import Iterator, Tuple

from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmdet.registry import HOOKS


def dataset_roots(cfg) -> Iterator[Tuple[str, str]]:
    """``(key, data_root)`` of every dataset of the config's train, val and
    test dataloaders, also inside dataset wrappers (``dataset``,
    ``datasets``); keys as ``--cfg-options`` spells them."""

    def visit(dataset, key):
        if not isinstance(dataset, dict):
            return
        if 'data_root' in dataset:
            yield f'{key}.data_root', dataset['data_root']
        if isinstance(dataset.get('dataset'), dict):
            yield from visit(dataset['dataset'], f'{key}.dataset')
        for i, inner in enumerate(dataset.get('datasets') or []):
            yield from visit(inner, f'{key}.datasets.{i}')

    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if isinstance(loader, dict):
            yield from visit(loader.get('dataset'),
                             f'{split}_dataloader.dataset')


def data_root_mismatch(cfg) -> str:
    """The warning when the config's top-level ``data_root`` is not the
    ``data_root`` of its datasets, else ''.

    mmengine resolves a config's ``data_root`` variable while it reads the
    file, so ``--cfg-options data_root=D`` changes the variable but no
    dataset that was built from it (mmdet's configs behave alike).
    """
    top = cfg.get('data_root')
    if not isinstance(top, str):
        return ''
    other = [(k, v) for k, v in dataset_roots(cfg)
             if isinstance(v, str) and osp.normpath(v) != osp.normpath(top)]
    if not other:
        return ''
    keys = ' '.join(f'{k}={top}' for k, _ in dataset_roots(cfg))
    found = ', '.join(f'{k}={v!r}' for k, v in other)
    return (f"the config's data_root is {top!r} but {found}: the datasets "
            f'read their own data_root, fixed when the config file was read, '
            f'so a data_root given with --cfg-options does not reach them. '
            f'Set the datasets\' keys instead: --cfg-options {keys}')


@HOOKS.register_module()
class DataRootCheckHook(Hook):
    """Warn before the run when the top-level ``data_root`` differs from
    the datasets' (:func:`data_root_mismatch`), naming the keys to set.
    In ``configs/_base_/default_runtime.py``'s ``default_hooks``."""

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        said = data_root_mismatch(runner.cfg)
        if said:
            print_log(said, logger='current', level=logging.WARNING)
