"""A study's config: its methods, seeds and the merged config of each run."""
import copy
import os.path as osp
from typing import List, Optional

REQUIRED_KEYS = ('methods', 'baseline', 'seeds', 'work_dir', 'out_dir')


def load_study(path: str, cfg_options: Optional[dict] = None):
    """Read and check a study config.

    Raises:
        KeyError: a required key is missing, or ``baseline`` is not one of
            ``methods`` (the message names the file and the key).
        FileNotFoundError: a method's config file does not exist.
    """
    from mmengine.config import Config
    study = Config.fromfile(path)
    if cfg_options:
        study.merge_from_dict(cfg_options)
    for key in REQUIRED_KEYS:
        if key not in study:
            raise KeyError(f'study config {path} has no {key!r}')
    if study.baseline not in study.methods:
        raise KeyError(f'study config {path}: baseline {study.baseline!r} is '
                       f'not one of methods {sorted(study.methods)}')
    for name in study.methods:
        cfg, _ = method_spec(study, name)
        if not osp.isfile(cfg):
            raise FileNotFoundError(
                f'study config {path}: methods.{name} = {cfg} does not exist')
    study.setdefault('cfg_options', {})
    study.setdefault('metric', 'strat/AP50')
    study.setdefault('prefix', 'strat')
    return study


def method_spec(study, method: str):
    """``(config path, cfg_options)`` of a method: its entry in
    ``methods`` is a config path, or ``dict(config=PATH, cfg_options={...})``
    whose options apply to that method's runs after the study's.

    Raises:
        KeyError: a dict entry without ``config`` (names the method).
    """
    spec = study.methods[method]
    if isinstance(spec, str):
        return spec, {}
    if 'config' not in spec:
        raise KeyError(f'study methods.{method} needs config=PATH')
    return spec['config'], dict(spec.get('cfg_options', {}))


def run_name(method: str, seed: int) -> str:
    return f'{method}_s{seed}'


def curve_path(study, method: str, seed: int) -> str:
    return osp.join(study.out_dir, 'curves', run_name(method, seed) + '.json')


def method_order(study) -> List[str]:
    """The study's methods, the baseline first, the rest in config order."""
    return [study.baseline] + [m for m in study.methods
                               if m != study.baseline]


def method_seeds(study, method: str) -> List[int]:
    """The seeds a method runs: ``seeds_per_method[method]`` when the study
    gives it, else ``seeds``."""
    return list(study.get('seeds_per_method', {}).get(method, study.seeds))


def all_runs(study) -> List[tuple]:
    """Every ``(method, seed)`` of the study, seed by seed, baseline first."""
    order = method_order(study)
    seeds = sorted({s for m in order for s in method_seeds(study, m)})
    return [(m, s) for s in seeds for m in order
            if s in method_seeds(study, m)]


def pending_runs(study) -> List[tuple]:
    """``(method, seed)`` pairs without a curve file, in :func:`all_runs`
    order."""
    return [(m, s) for m, s in all_runs(study)
            if not osp.isfile(curve_path(study, m, s))]


def run_config(study, method: str, seed: int):
    """The merged mmengine config of one run: the method's config, the
    study's ``cfg_options``, the method's own ``cfg_options``, the seed and
    the run's work dir; the study's ``img_scale`` on every ``Resize``. An
    ImportanceSampler's ``batch_size``
    follows the dataloader's; the run records images processed and
    training time at every validation
    (``ImagesProcessedHook``, added when the config has none)."""
    from mmengine.config import Config
    path, options = method_spec(study, method)
    cfg = Config.fromfile(path)
    # mmengine pops _delete_ keys while merging: give every run a copy
    cfg.merge_from_dict(copy.deepcopy(study.cfg_options.to_dict()
                                      if hasattr(study.cfg_options, 'to_dict')
                                      else dict(study.cfg_options)))
    cfg.merge_from_dict(copy.deepcopy(options))
    cfg.merge_from_dict({'randomness.seed': seed})
    if study.get('img_scale'):
        set_resize_scale(cfg, tuple(study.img_scale))
    sampler = cfg.train_dataloader.get('sampler', {})
    if sampler.get('type') == 'ImportanceSampler':
        sampler.batch_size = cfg.train_dataloader.batch_size
    hooks = list(cfg.get('default_hooks', {}).values()) + list(
        cfg.get('custom_hooks', []))
    if not any(isinstance(h, dict) and h.get('type') == 'ImagesProcessedHook'
               for h in hooks):
        cfg.merge_from_dict({'default_hooks.images_processed':
                             dict(type='ImagesProcessedHook')})
        imports = cfg.get('custom_imports', {}).get('imports', [])
        if 'mmdet_is' not in imports:
            cfg.custom_imports = dict(imports=list(imports) + ['mmdet_is'],
                                      allow_failed_imports=False)
    cfg.work_dir = osp.join(study.work_dir, run_name(method, seed))
    return cfg


def set_resize_scale(cfg, scale: tuple) -> int:
    """Set ``scale`` (w, h) on every ``Resize`` of the train, val and test
    pipelines (also inside ``ConcatDataset`` and other wrappers), whatever
    its place in the pipeline. Returns how many were set.

    Raises:
        KeyError: no pipeline has a ``Resize``.
    """
    found = 0

    def visit(dataset):
        nonlocal found
        if not isinstance(dataset, dict):
            return
        for t in dataset.get('pipeline', []):
            if isinstance(t, dict) and t.get('type') == 'Resize':
                t['scale'] = scale
                found += 1
        for inner in [dataset.get('dataset')] + list(
                dataset.get('datasets', [])):
            visit(inner)

    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader:
            visit(loader.get('dataset'))
    if not found:
        raise KeyError('img_scale: no Resize in the train, val or test '
                       'pipelines of the config')
    return found
