"""The extension points of mmdet_is, as mmengine registries.

A user's module, loaded with ``custom_imports``, adds to them as it adds to
mmdet's own registries::

    from mmdet_is.registry import HEURISTICS, POLICIES

    @POLICIES.register_module(name='my_rule')
    class MyRule(SelectionPolicy): ...

    @HEURISTICS.register_module(name='my_score')
    def my_score(a, iou, giou): ...

and a config names it: ``sampler=dict(type='ImportanceSampler',
policy=dict(type='my_rule'), score=dict(heuristic='my_score'))``.

They are root registries of scope ``mmdet_is``, not children of mmdet's:
mmdet's configs set ``default_scope='mmdet'``, and mmengine builds a child
registry's module from the registry of the default scope, where a policy or
a heuristic is not (docs/guide/09_decisions.md).

* :data:`POLICIES`: what trains next, given the score table
  (:mod:`mmdet_is.datasets.samplers.policies`): ``importance``, ``tiers``,
  ``infobatch``, ``random``, ``subset_importance``.
* :data:`IMAGE_SCORES`: one score per image from a step's ingredients
  (:class:`mmdet_is.scoring.ImageScore`).
* :data:`HEURISTICS`: per-location terms ``fn(a, iou, giou) -> (cls, reg)``
  (thesis 4.2.3-4.2.5), or, marked ``image_level``, whole-image scores
  ``fn(ingredients, num_objects) -> dict`` (``min_pr``).
* :data:`REDUCTIONS`: per-location terms to one value per image
  ``fn(term, mask, obj_inds, num_objects) -> (B,)`` (thesis 4.2.4).
* :data:`HEAD_ADAPTERS`: how to read the ingredients of a stock mmdet head,
  registered under the head's class name
  (:mod:`mmdet_is.scoring.adapters`).
"""
from mmengine.registry import Registry

POLICIES = Registry('sampling policy', scope='mmdet_is',
                    locations=['mmdet_is.datasets.samplers.policies'])
IMAGE_SCORES = Registry('image score', scope='mmdet_is',
                        locations=['mmdet_is.scoring'])
HEURISTICS = Registry('importance heuristic', scope='mmdet_is',
                      locations=['mmdet_is.scoring'])
REDUCTIONS = Registry('importance reduction', scope='mmdet_is',
                      locations=['mmdet_is.scoring'])
HEAD_ADAPTERS = Registry('head adapter', scope='mmdet_is',
                         locations=['mmdet_is.scoring'])


def registered(registry: Registry, name):
    """The module ``registry`` holds under ``name``, or None.

    Unlike ``Registry.get``, a name that is not registered never falls back
    to an import path (``get('json')`` returns the json module)."""
    registry.import_from_location()
    return registry.module_dict.get(name)


def build(registry: Registry, cfg: dict):
    """``registry.build(cfg)`` in this package's scope: under mmdet's
    default scope mmengine would first look for an ``mmdet`` registry of
    the same name and warn that it found none."""
    return registry.build(dict(cfg, _scope_='mmdet_is'))


def lookup(registry: Registry, name, where: str):
    """The module ``registry`` holds under ``name``.

    Raises:
        KeyError: ``name`` is not registered; the message names ``where``
            it was asked for and lists the registered names.
    """
    module = registered(registry, name)
    if module is None:
        raise KeyError(f'unknown {registry.name} {name!r} in {where}; '
                       f'registered: {sorted(registry.module_dict)}')
    return module
