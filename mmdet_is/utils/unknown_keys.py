"""A plain refusal of config keys a component does not take, with the
spelling to write instead for the keys of mmdet_is 0.1."""

#: 0.1's keys of ``train_dataloader.sampler`` and what to write now
OLD_SAMPLER_KEYS = {
    'rule': "train_dataloader.sampler.policy=dict(type=RULE, keep_ratio=...)"
            " (RULE: 'tiers', 'infobatch', 'random', ...)",
    'keep_ratio': 'train_dataloader.sampler.policy=dict(type=RULE, '
                  'keep_ratio=...)',
    'final_fraction': 'train_dataloader.sampler.policy=dict(type=RULE, '
                      'final_fraction=...)',
}
OLD_SAMPLER_KEYS.update({
    key: f"train_dataloader.sampler.policy=dict(type='importance', {key}=...)"
    for key in ('smoothing', 'mode', 'rescale')
})
#: 0.1's keys of ``ImportanceSamplingHook`` and what to write now
OLD_HOOK_KEYS = {
    key: f'train_dataloader.sampler.score=dict({key}=...)'
    for key in ('heuristic', 'reduction', 'ignore_regression',
                'irreducible_loss')
}
OLD_HOOK_KEYS.update({
    key: f"train_dataloader.sampler.policy=dict(type='importance', {key}=...)"
    for key in ('unbiased', 'anneal')
})


def refuse_unknown_keys(where: str, unknown: dict, old: dict) -> None:
    """Raise for the keys of ``unknown`` (nothing when it is empty).

    Args:
        where: the config path of the component, e.g.
            ``'train_dataloader.sampler'``.
        unknown: the keyword arguments it does not take.
        old: old key -> what to write instead.

    Raises:
        TypeError: names each key, with what to write where known.
    """
    if not unknown:
        return
    lines = [f'unknown key {where}.{key}={value!r}' +
             (f': write {old[key]}' if key in old else '')
             for key, value in unknown.items()]
    raise TypeError('; '.join(lines))
