"""An ImportanceSampler's checkpoint: what it saves, and what it refuses
to resume (another policy, score, training set or global batch; scores
that are not finite). A score never lands on another image, nor in a table
of another scale."""
import numpy as np
import torch

from .fingerprint import check_same_dataset, fingerprint
from .score_table import MAX_SCORE

#: the checkpoint format of :func:`sampler_state_dict`
STATE_FORMAT = 'mmdet_is sampler v3'
#: how a user who changed the policy or the score on purpose starts the
#: sampler afresh and keeps the run's weights, optimiser and schedule
RESTART_HINT = ('to change it on purpose, keep the weights and schedule '
                'and start the scores afresh: add --cfg-options '
                'train_dataloader.sampler.restart_scores=True to --resume')


def plain(value):
    """``value`` with every mapping (mmengine's ConfigDict included) a
    ``dict`` and every tuple a ``list``, so that torch's
    ``weights_only=True`` loads it and a loaded one compares equal."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def sampler_state_dict(sampler) -> dict:
    """Everything an :class:`~.ImportanceSampler` needs to continue the
    exact same stream: tensors and plain Python values only (loadable with
    torch's ``weights_only=True``)."""
    rng = sampler.rng.bit_generator.state
    in_flight = sampler.in_flight.all_waiting()
    identities = sampler.dataset_identities()
    return dict(
        format=STATE_FORMAT,
        policy_cfg=plain(sampler.policy_cfg),
        score_cfg=plain(sampler.resolved_score_cfg),
        policy=sampler.policy.state_dict(),
        dataset=None if identities is None else fingerprint(identities),
        num_images=sampler.num_images,
        global_batch=sampler.global_batch,
        scores=torch.from_numpy(sampler.table[:].copy()),
        draw_counts=torch.from_numpy(sampler.draw_counts.astype(np.int64)),
        last_drawn=torch.from_numpy(sampler.last_drawn.copy()),
        rng_state=str(rng['state']['state']),
        rng_inc=str(rng['state']['inc']),
        rng_has_uint32=int(rng['has_uint32']),
        rng_uinteger=int(rng['uinteger']),
        batches_drawn=sampler.batches_drawn,
        num_rejected_updates=sampler.num_rejected_updates,
        # drawn, not yet trained: yielded first after a resume, with their
        # loss weights
        in_flight=[torch.from_numpy(b.copy()) for b, _ in in_flight],
        in_flight_weights=[torch.from_numpy(w.copy()) for _, w in in_flight],
        batches_trained=sampler.batches_yielded - len(sampler.in_flight))


def check_resumable(sampler, state: dict) -> None:
    """Refuse a checkpoint whose scores do not belong to this sampler.

    Raises:
        ValueError: another checkpoint format; written with another policy
            type or score config (both named, with :data:`RESTART_HINT`);
            another training set (its fingerprint), number of images or
            global batch size; scores that are not finite.
    """
    if state.get('format') != STATE_FORMAT:
        raise ValueError(
            'cannot resume ImportanceSampler: the checkpoint holds its state '
            f'in the format {state.get("format")!r}, this mmdet_is reads '
            f'{STATE_FORMAT!r}; start the sampler afresh with '
            'load_from=CHECKPOINT (weights only) instead of --resume')
    if state['policy_cfg']['type'] != sampler.policy_cfg['type']:
        raise ValueError(
            'cannot resume ImportanceSampler: the checkpoint was written '
            f'with policy {state["policy_cfg"]}, this run has '
            f'{plain(sampler.policy_cfg)}; {RESTART_HINT}')
    if state['score_cfg'] != plain(sampler.resolved_score_cfg):
        raise ValueError(
            'cannot resume ImportanceSampler: the checkpoint\'s scores were '
            f'computed with score {state["score_cfg"]}, this run scores with '
            f'{plain(sampler.resolved_score_cfg)}: the two would mix in one '
            f'table; {RESTART_HINT}')
    if state['num_images'] != sampler.num_images:
        raise ValueError(
            f'cannot resume ImportanceSampler: the checkpoint holds scores '
            f'for {state["num_images"]} images but the training set has '
            f'{sampler.num_images}')
    if state['global_batch'] != sampler.global_batch:
        raise ValueError(
            'cannot resume ImportanceSampler: the checkpoint was written with '
            f'a global batch of {state["global_batch"]} images, this run has '
            f'{sampler.global_batch} (batch_size x world_size)')
    identities = sampler.dataset_identities()
    if state['dataset'] is not None and identities is not None:
        check_same_dataset(state['dataset'], identities)
    bad = int((~(np.abs(state['scores'].numpy()) <= MAX_SCORE)).sum())
    if bad:
        raise ValueError(
            f'cannot resume ImportanceSampler: the checkpoint holds {bad} '
            'scores that are not finite or beyond +-MAX_SCORE (a damaged '
            'checkpoint)')


def load_sampler_state(sampler, state: dict) -> None:
    """Restore :func:`sampler_state_dict` into ``sampler`` after
    :func:`check_resumable`.

    Raises:
        ValueError: as :func:`check_resumable`.
    """
    check_resumable(sampler, state)
    sampler.policy.load_state_dict(state['policy'])
    sampler.table.scores[:sampler.num_images] = \
        state['scores'].numpy().astype(np.float32)
    sampler.table.rebuild()
    sampler.draw_counts = state['draw_counts'].numpy().astype(np.uint32)
    sampler.last_drawn = state['last_drawn'].numpy().astype(np.int32)
    sampler.rng.bit_generator.state = dict(
        bit_generator='PCG64',
        state=dict(state=int(state['rng_state']), inc=int(state['rng_inc'])),
        has_uint32=state['rng_has_uint32'],
        uinteger=state['rng_uinteger'])
    sampler.batches_drawn = state['batches_drawn']
    sampler.num_rejected_updates = state['num_rejected_updates']
    sampler.in_flight.restore([
        (b.numpy().copy(), w.numpy().copy())
        for b, w in zip(state['in_flight'], state['in_flight_weights'])])
    sampler.batches_yielded = state['batches_trained']
