"""What an ImportanceSampler's config may hold and what enters its score
table: its policy and score built from their configs (each a dict, each
registered), a score config it can record and compare, scores of the sign
its policy takes, and only finite ones."""
import inspect

import numpy as np

from ...registry import IMAGE_SCORES, POLICIES, build, lookup
from .score_table import MAX_SCORE


def as_config(where: str, value, default: dict) -> dict:
    """``value`` as a config dict (``default`` when None).

    Raises:
        TypeError: ``value`` is not a dict, e.g. 0.1's ``rule='tiers'``
            (names ``where`` and what to write).
    """
    if value is None:
        return dict(default)
    if not isinstance(value, dict):
        raise TypeError(f'{where}={value!r} must be a dict: write {where}='
                        f'dict(type={value!r}, ...)')
    return dict(value)


def build_policy_and_score(sampler, policy, score):
    """The sampler's policy, bound to it, and its score.

    Args:
        sampler: the :class:`~.ImportanceSampler` that owns both.
        policy (dict | None): the policy's config (None: importance draws).
        score (dict | None): the score's config (None: the policy's
            ``default_score``).

    Returns:
        tuple: ``(policy_cfg, policy, resolved score cfg, score)``.

    Raises:
        TypeError: a config that is not a dict.
        KeyError: an unknown policy or score (lists the registered ones).
        ValueError: a bad argument of the policy; a signed score (RHO) for
            a policy that takes non-negative scores only.
    """
    policy_cfg = as_config('train_dataloader.sampler.policy', policy,
                           dict(type='importance'))
    lookup(POLICIES, policy_cfg.get('type'), 'train_dataloader.sampler.policy')
    try:
        built = build(POLICIES, policy_cfg)
    except TypeError as e:
        raise ValueError(f'train_dataloader.sampler.policy {policy_cfg}: {e}')
    built.bind(sampler)
    score_cfg = resolve_score_cfg(as_config(
        'train_dataloader.sampler.score', score, built.default_score))
    scorer = build(IMAGE_SCORES, score_cfg)
    check_score_sign(scorer, score_cfg, built, policy_cfg)
    return policy_cfg, built, score_cfg, scorer


def resolve_score_cfg(score: dict) -> dict:
    """``score`` with its ``type`` (default ``'ImageScore'``) first and
    then every argument of its class, in the class's order, those left
    out at their defaults: the config the sampler prints and records in
    its checkpoint, so that writing a default out does not count as
    another score.

    Raises:
        KeyError: an unknown score type (lists the registered ones).
    """
    score = dict(score)
    kind = score.pop('type', 'ImageScore')
    cls = lookup(IMAGE_SCORES, kind, 'train_dataloader.sampler.score')
    resolved = dict(type=kind)  # in the order of the class's arguments
    for name, param in inspect.signature(cls).parameters.items():
        if name in score:
            resolved[name] = score.pop(name)
        elif param.default is not inspect.Parameter.empty and \
                param.kind is param.POSITIONAL_OR_KEYWORD:
            resolved[name] = param.default
    resolved.update(score)  # what the class takes through **kwargs
    return resolved


def check_score_sign(score, score_cfg: dict, policy, policy_cfg: dict):
    """Refuse a score that can be negative (RHO) for a policy that takes
    non-negative scores only.

    Raises:
        ValueError: names both configs and the remedy.
    """
    if getattr(score, 'signed', False) and not policy.signed_scores:
        raise ValueError(
            f'the score {score_cfg} can be negative (RHO, eq. 4.6) but the '
            f'policy {policy_cfg} takes non-negative scores only: set '
            "sampler.policy=dict(type='importance', rescale='minmax')")


def accepted_updates(values: np.ndarray, signed: bool) -> np.ndarray:
    """``(k,)`` bool: which of ``values`` (``(k,)`` float64 scores) may
    enter the table: finite, within ``+-MAX_SCORE`` (1e30: a float32
    table would hold inf) and, unless the policy takes ``signed`` scores,
    non-negative."""
    return (np.abs(values) <= MAX_SCORE) & ((values >= 0) | signed)
