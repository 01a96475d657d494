import math

import numpy as np
import pytest
import torch
from scipy.stats import chisquare

from conftest import FakeDataset
from mmdet.datasets.samplers import AspectRatioBatchSampler
from mmdet_is.datasets import ImportanceSampler, ScoreTable, rejection_rule
from mmdet_is.engine import find_importance_sampler



def sampler(n=10, batch=2, seed=0, **policy):
    """An ImportanceSampler whose importance policy takes ``policy``."""
    return ImportanceSampler(FakeDataset(n), batch_size=batch, seed=seed,
                             policy=dict(type='importance', **policy))


def finish_first_pass(s):
    """Draw the permutation pass; its last batch: Algorithm 5's first
    active images."""
    for _ in range(s.iters_per_epoch):
        batch = s.next_global_batch()[0]
    return batch


def test_epoch_length_and_first_pass_covers_every_image():
    s = sampler(n=10, batch=4)
    assert s.iters_per_epoch == math.ceil(10 / 4) == 3
    assert len(s) == 12
    first = list(iter(s))
    assert len(first) == 12 and set(first) == set(range(10))
    assert s.diagnostics()['coverage'] == 1.0


def test_draw_frequencies_match_scores_chi_square():
    n = 300  # several tree blocks, some zero scores
    rng = np.random.default_rng(1)
    scores = rng.uniform(0, 5, n)
    scores[::7] = 0
    s = sampler(n=n, smoothing=False)
    s.update(np.arange(n), scores)
    draws = s.policy.draw(300_000)
    counts = np.bincount(draws, minlength=n)
    assert counts[scores == 0].sum() == 0
    p = scores / scores.sum()
    keep = p > 0
    _, pvalue = chisquare(counts[keep], p[keep] * len(draws))
    assert pvalue > 1e-3, pvalue


def test_smoothing_is_equation_4_3():
    # scores (0, 0, 0, 1): c = S / N^2 = 1 / 16, so
    # p = (c, c, c, 1 + c) / (1 + 4c) = (1/20, 1/20, 1/20, 17/20)
    s = sampler(n=4, batch=1)
    s.update(np.arange(4), [0, 0, 0, 1])
    assert s.policy.smoothing_value() == pytest.approx(1 / 16)
    draws = s.policy.draw(200_000)
    counts = np.bincount(draws, minlength=4)
    expect = np.array([1, 1, 1, 17]) / 20 * len(draws)
    _, pvalue = chisquare(counts, expect)
    assert pvalue > 1e-3, (counts, expect)
    without = sampler(n=4, batch=1, smoothing=False)
    without.update(np.arange(4), [0, 0, 0, 1])
    assert set(without.policy.draw(1000).tolist()) == {3}


def test_rejection_rule_against_brute_force():
    rng = np.random.default_rng(0)
    q_a, q_c, u = rng.uniform(0, 1, (3, 5000))

    def brute(qa, qc, uu):  # Algorithm 5, one slot at a time
        if qa > 2 * qc:
            return True
        if qc < uu * (qc + qa):
            return True
        return False

    expect = [brute(*t) for t in zip(q_a, q_c, u)]
    assert rejection_rule(q_a, q_c, u).tolist() == expect


def test_rejection_mode_keeps_or_replaces_each_slot():
    s = sampler(n=20, batch=4, mode='rejection')
    active = finish_first_pass(s).copy()
    s.update(np.arange(20), np.arange(20) + 1.0)
    state = s.rng.bit_generator.state
    batch = s.next_global_batch()[0]
    # replay the same random numbers by hand
    s.rng.bit_generator.state = state
    cand = s.policy.draw(4)
    u = s.rng.random(4)
    q = lambda i: s.table[i] + s.policy.smoothing_value()  # noqa: E731
    for slot in range(4):
        reject = (q(active[slot]) > 2 * q(cand[slot])) or (
            q(cand[slot]) < u[slot] * (q(cand[slot]) + q(active[slot])))
        assert batch[slot] == (active[slot] if reject else cand[slot])


def test_same_seed_same_draws():
    a, b = sampler(n=50, batch=4, seed=3), sampler(n=50, batch=4, seed=3)
    for step in range(30):
        ba, bb = a.next_global_batch()[0], b.next_global_batch()[0]
        assert np.array_equal(ba, bb)
        a.update(ba, ba * 0.1 + step)
        b.update(bb, bb * 0.1 + step)
    c = sampler(n=50, batch=4, seed=4)
    assert not np.array_equal(c.next_global_batch()[0],
                              a.next_global_batch()[0])


def run(s, epochs, first_step=0):
    """Iterate like a DataLoader, scoring each batch after it is 'trained'
    (and taking it out of the batches in flight, as the hook does)."""
    log, step = [], first_step
    for _ in range(epochs):
        it = iter(s)
        for _ in range(s.iters_per_epoch):
            batch = [next(it) for _ in range(s.batch_size)]
            log.append(batch)
            assert s.pop_trained().tolist() == batch
            s.update(batch, [((i * 7919 + step) % 13) / 3 for i in batch])
            step += 1
    return log


@pytest.mark.parametrize('mode', ['multinomial', 'rejection'])
def test_checkpoint_resume_gives_identical_sequence(tmp_path, mode):
    full = run(sampler(n=23, batch=4, mode=mode), 5)
    s = sampler(n=23, batch=4, mode=mode)
    first = run(s, 2)
    torch.save(s.state_dict(), tmp_path / 's.pth')
    resumed = sampler(n=23, batch=4, mode=mode, seed=99)  # seed is restored
    resumed.load_state_dict(
        torch.load(tmp_path / 's.pth', weights_only=True))
    assert first + run(resumed, 3, first_step=len(first)) == full


def test_resume_identical_including_score_function(tmp_path):
    def go(s, steps, start):
        out = []
        for t in range(start, start + steps):
            b = s.next_global_batch()[0]
            out.append(b.tolist())
            s.update(b, (b % 5 + t % 3).astype(float))
        return out

    ref = go(sampler(n=31, batch=3), 40, 0)
    s = sampler(n=31, batch=3)
    head = go(s, 17, 0)
    torch.save(s.state_dict(), tmp_path / 's.pth')
    r = sampler(n=31, batch=3, seed=123)
    r.load_state_dict(torch.load(tmp_path / 's.pth', weights_only=True))
    assert head + go(r, 23, 17) == ref


def test_resume_with_other_dataset_length_is_an_error():
    state = sampler(n=10).state_dict()
    with pytest.raises(ValueError, match='scores for 10 images but the '
                       'training set has 11'):
        sampler(n=11).load_state_dict(state)


def test_nan_and_inf_never_enter_the_table():
    s = sampler(n=5)
    s.update([0, 1, 2], [1.0, 2.0, 3.0])
    before = s.table[:].copy()
    rejected = s.update([0, 1, 2, 3], [float('nan'), float('inf'), -1.0, 4.])
    assert rejected == 3 and s.num_rejected_updates == 3
    assert np.array_equal(s.table[:3], before[:3]) and s.table[3] == 4.0
    assert s.table.total == pytest.approx(1 + 2 + 3 + 4 + 1)


def test_more_categories_than_torch_multinomial_allows():
    n = 2**24 + 10  # torch.multinomial / WeightedRandomSampler stop at 2**24
    s = sampler(n=n, batch=8, smoothing=False)
    s.update(np.arange(n), np.zeros(n))
    s.update([2**24 + 7, 5], [3.0, 1.0])
    draws = s.policy.draw(4000)
    assert set(draws.tolist()) == {2**24 + 7, 5}
    assert 0.7 < np.mean(draws == 2**24 + 7) < 0.8  # 3 / 4


def test_score_table_sums_stay_exact_after_many_updates():
    t = ScoreTable(1000)
    rng = np.random.default_rng(0)
    for _ in range(200):
        idx = rng.integers(0, 1000, 64)
        t.update(idx, rng.uniform(0, 1e3, 64).astype(np.float32))
    assert t.total == pytest.approx(t[:].astype(np.float64).sum(), rel=1e-12)


def test_works_under_aspect_ratio_batch_sampler():
    s = sampler(n=12, batch=2)
    batch_sampler = AspectRatioBatchSampler(s, batch_size=2)
    batches = list(batch_sampler)
    assert sum(len(b) for b in batches) <= len(s)

    class Loader:
        sampler = None

    loader = Loader()
    loader.batch_sampler = batch_sampler
    assert find_importance_sampler(loader) is s


def test_a_checkpoint_of_another_format_is_refused_with_the_remedy():
    # e.g. the sampler state of mmdet_is 0.1 (no format, no score)
    old = sampler(n=10).state_dict()
    for key in ('format', 'score_cfg', 'policy_cfg', 'dataset',
                'in_flight_weights'):
        old.pop(key)
    with pytest.raises(ValueError, match=r"format None, this mmdet_is reads "
                       r"'mmdet_is sampler v3'.*load_from=CHECKPOINT"):
        sampler(n=10).load_state_dict(old)


def test_a_resume_with_another_score_is_refused_naming_both():
    """The table holds min_pr scores; resumed with closeness the two
    scales would mix. Writing a default out is the same score."""
    def build(**score):
        return ImportanceSampler(FakeDataset(10), 2, seed=0,
                                 policy=dict(type='tiers', keep_ratio=0.5),
                                 score=score or None)

    state = build(heuristic='min_pr').state_dict()
    assert state['score_cfg'] == dict(type='ImageScore', heuristic='min_pr',
                                  reduction='mean', ignore_regression=False,
                                  irreducible_loss=None)
    build().load_state_dict(state)  # tiers' default_score is min_pr
    build(heuristic='min_pr', reduction='mean').load_state_dict(state)
    with pytest.raises(ValueError, match=r"computed with score \{'type': "
                       r"'ImageScore', 'heuristic': 'min_pr'.*this run scores "
                       r"with \{'type': 'ImageScore', 'heuristic': "
                       r"'closeness'.*restart_scores=True"):
        build(heuristic='closeness').load_state_dict(state)


def test_restart_scores_keeps_the_run_and_starts_the_sampler_afresh():
    s = sampler(n=10, batch=2)
    s.update(np.arange(10), np.arange(10.0))
    for _ in range(7):
        s.next_global_batch()
    state = s.state_dict()
    fresh = ImportanceSampler(FakeDataset(10), 2, seed=0,
                              score=dict(heuristic='lis'),
                              restart_scores=True)
    assert fresh.load_state_dict(state) is False
    assert fresh.batches_drawn == 0 and (fresh.table[:] == 1.0).all()
    with pytest.raises(ValueError, match='restart_scores=True'):
        ImportanceSampler(FakeDataset(10), 2, seed=0,
                          score=dict(heuristic='lis')).load_state_dict(state)

