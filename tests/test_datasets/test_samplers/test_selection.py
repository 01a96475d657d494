"""Selection policies in the ImportanceSampler: counts per epoch, revisit
bounds, InfoBatch's weights and its unbiased epoch gradient (by
enumeration), an exact resume with batches in flight, and 0.1's
spelling refused with what to write instead."""
import itertools
from math import comb

import numpy as np
import pytest

from conftest import FakeDataset, prefetching_loader
from mmdet_is.datasets import (ImportanceSampler, InfoBatchPolicy,
                               RandomPolicy, TierPolicy)

SCORES = np.arange(10) / 10  # 0.0, 0.1, ..., 0.9


def test_tiers_by_quantile_worked_by_hand():
    # np.quantile, linear: q=0.3 -> position 2.7 -> 0.27; q=0.6 -> 5.4 ->
    # 0.54: easy = s <= 0.27 = {0, 1, 2}; hard = s > 0.54 = {6, 7, 8, 9}
    rule = TierPolicy(quantiles=(0.3, 0.6))
    np.testing.assert_allclose(rule.bounds(SCORES), (0.27, 0.54))
    assert rule.tiers(SCORES).tolist() == [2, 2, 2, 1, 1, 1, 0, 0, 0, 0]
    fixed = TierPolicy(thresholds=(0.1, 0.7))  # easy <= 0.1 < medium <= 0.7
    assert fixed.tiers(SCORES).tolist() == [2, 2, 1, 1, 1, 1, 1, 1, 0, 0]


def test_tiers_picks_hard_then_quotas_then_uniform():
    rng = np.random.default_rng(0)
    rule = TierPolicy(quantiles=(0.3, 0.6), fractions=(0.4, 0.02),
                      max_age=(3, 10))
    ages = np.ones(10, np.int64)
    # k = 5: the 4 hard images + round(0.4 * 3) = 1 medium, round(0.02 *
    # 3) = 0 easy
    sel = rule.select(SCORES, ages, 5, rng)
    picked = set(sel.index.tolist())
    assert {6, 7, 8, 9} <= picked and len(picked & {3, 4, 5}) == 1
    assert sel.counts['selected_hard'] == 4
    assert sel.counts['selected_medium'] == 1
    assert sel.counts['selected_easy'] == 0 and sel.weight is None
    # k = 7: two more, uniformly from the 5 not taken
    sel = rule.select(SCORES, ages, 7, rng)
    assert len(set(sel.index.tolist())) == 7
    assert {6, 7, 8, 9} <= set(sel.index.tolist())
    # k = 3 < 4 due: the highest scores among equally old, 1 left out
    sel = rule.select(SCORES, ages, 3, rng)
    assert sorted(sel.index.tolist()) == [7, 8, 9]
    assert sel.counts['due_left_out'] == 1


def test_tiers_forced_revisit_comes_first():
    rule = TierPolicy(quantiles=(0.3, 0.6), fractions=(0.0, 0.0),
                      max_age=(3, 10))
    ages = np.ones(10, np.int64)
    ages[0] = 10  # easy, left out for 10 epochs: due
    ages[4] = 3  # medium, 3 epochs: due
    ages[3] = 2  # medium, not yet
    sel = rule.select(SCORES, ages, 6, np.random.default_rng(1))
    assert sorted(sel.index.tolist()) == [0, 4, 6, 7, 8, 9]
    assert sel.counts['due'] == 6
    # budget 2 for 6 due: the longest left out first (ages 10, then 3)
    sel = rule.select(SCORES, ages, 2, np.random.default_rng(1))
    assert sorted(sel.index.tolist()) == [0, 4]


def test_tier_rule_refuses_bad_settings():
    with pytest.raises(ValueError, match='quantiles'):
        TierPolicy(quantiles=(0.2, 1.5))
    with pytest.raises(ValueError, match='easy <= hard'):
        TierPolicy(thresholds=(0.8, 0.2))
    with pytest.raises(ValueError, match='max_age'):
        TierPolicy(max_age=(0, 10))
    with pytest.raises(KeyError, match='infobatch'):
        ImportanceSampler(FakeDataset(10), 2, policy=dict(type='afss'))


def test_infobatch_weights_worked_by_hand():
    # mean 4: high = {3 (4.0), 4 (10.0)}, low = {0, 1, 2}; k = 3 keeps both
    # high ones and m = 1 low one with weight n_low / m = 3, r = 2 / 3
    scores = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    sel = InfoBatchPolicy().select(scores, np.ones(5, np.int64), 3,
                                   np.random.default_rng(0))
    idx = sel.index.tolist()
    assert {3, 4} <= set(idx) and len(set(idx) & {0, 1, 2}) == 1
    w = dict(zip(idx, sel.weight.tolist()))
    assert w[3] == w[4] == 1.0
    assert [w[i] for i in idx if i < 3] == [3.0]
    assert sel.counts['infobatch_r'] == pytest.approx(2 / 3)
    assert sel.counts['infobatch_below_mean'] == pytest.approx(3 / 5)


def test_infobatch_epoch_gradient_is_unbiased_by_enumeration():
    """Per-image loss 0.5 (theta - x_i)^2, gradient g_i = theta - x_i. Over
    every subset the rule can keep (each m-subset of the low images, all
    equally likely), the mean of the weighted epoch gradient
    sum_kept w_i g_i equals the full data's sum_i g_i exactly."""
    x = np.array([0.5, -1.0, 2.0, 3.0, 7.0, -4.0, 1.5])
    theta = 0.25
    g = theta - x
    loss = 0.5 * (theta - x)**2  # the scores: the loss itself
    k = 5
    rule = InfoBatchPolicy()
    sel = rule.select(loss, np.ones(len(x), np.int64), k, np.random.default_rng(0))
    low = np.flatnonzero(loss < loss.mean())
    high = np.flatnonzero(loss >= loss.mean())
    m = k - len(high)
    w_low = sel.weight[np.isin(sel.index, low)]
    assert np.allclose(w_low, len(low) / m)
    subsets = list(itertools.combinations(low.tolist(), m))
    assert len(subsets) == comb(len(low), m)
    epoch_grads = [g[high].sum() + w_low[0] * g[list(s)].sum()
                   for s in subsets]
    assert np.mean(epoch_grads) == pytest.approx(g.sum(), abs=1e-12)
    # and the rule keeps every low image equally often (no subset favoured)
    counts, rng = np.zeros(len(x)), np.random.default_rng(0)
    for _ in range(6000):
        sel = rule.select(loss, np.ones(len(x), np.int64), k, rng)
        counts[sel.index] += 1
    assert np.all(counts[high] == 6000)
    # binomial std of each share below 0.0065
    np.testing.assert_allclose(counts[low] / 6000, m / len(low), atol=0.03)



def selection(n, batch, rule=None, seed=0, **policy):
    """An ImportanceSampler whose policy is the selection rule ``rule``
    (tiers by default) with ``policy`` (keep_ratio, final_fraction)."""
    return ImportanceSampler(FakeDataset(n), batch, seed=seed,
                             policy=dict(rule or dict(type='tiers'),
                                         **policy))


def train(sampler, epochs, score):
    """Train ``epochs`` epochs without workers: every batch is trained and
    scored right after it is drawn. Returns the batches."""
    out = []
    for _ in range(epochs):
        it = iter(sampler)
        while True:
            batch = [next(it, None) for _ in range(sampler.batch_size)]
            if batch[0] is None:
                break
            assert sampler.pop_trained().tolist() == batch
            sampler.update(batch, [score(i) for i in batch])
            out.append(batch)
    return out


@pytest.mark.parametrize('rule', [dict(type='random'), dict(type='tiers'),
                                  dict(type='infobatch')])
def test_each_epoch_trains_k_distinct_images_and_warms_up_on_all(rule):
    n, bs = 50, 4
    s = selection(n, bs, rule, keep_ratio=0.6, seed=3)
    # K = ceil(0.6 * 50 / 4) * 4 = 32 images, 8 iterations per epoch
    assert s.iters_per_epoch == 8 and len(s) == 32
    assert s.policy.epoch_size == 32
    batches = train(s, 6, lambda i: 1.0 + (i * 37 % 11))
    per_epoch = [sum(batches[e * 8:(e + 1) * 8], []) for e in range(6)]
    for images in per_epoch:
        assert len(images) == 32 and len(set(images)) == 32
    # epochs 0 and 1 cover every image first (32 + 18 never trained)
    assert set(per_epoch[0] + per_epoch[1]) == set(range(n))
    assert s.policy.epoch_counts['selected_fresh'] == 0


def test_tiers_revisit_bounds_hold_over_many_epochs():
    """Fixed scores: hard images (score 1) are trained every epoch, every
    medium one (0.5) at least every 3 epochs and every easy one (0) at
    least every 10, although their quotas (40 % and 2 %) alone would leave
    some out longer; the budget (60 of 100) holds every due image."""
    n, bs = 100, 5
    rule = dict(type='tiers', quantiles=(0.3, 0.6), fractions=(0.4, 0.02),
                max_age=(3, 10))
    s = selection(n, bs, rule, keep_ratio=0.6, seed=0)
    score = np.repeat([0.0, 0.5, 1.0], [30, 30, 40])  # easy/medium/hard
    epochs = []
    for _ in range(60):
        epochs.append(set(sum(train(s, 1, lambda i: score[i]), [])))
        if not s.policy.epoch_counts['selected_fresh']:  # after the warm-up
            assert s.policy.epoch_counts['due_left_out'] == 0
    # epochs 0 and 1 train every image once (60 + 40): gaps from epoch 2
    last, gaps = {}, {0.0: 0, 0.5: 0, 1.0: 0}
    for e, images in enumerate(epochs):
        for i in images:
            if i in last and e >= 3:
                gaps[score[i]] = max(gaps[score[i]], e - last[i])
            last[i] = e
    assert gaps[1.0] == 1 and gaps[0.5] <= 3 and gaps[0.0] <= 10
    assert gaps[0.0] > 3  # easy images are left out for epochs at a time
    # per epoch (after the warm-up): 40 hard, 12 medium by quota + the due
    # ones, 1 easy + the due ones, the rest of the 60 uniform
    assert s.policy.epoch_counts['selected_hard'] == 40


def test_selection_resume_with_batches_in_flight_is_exact():
    """3 batches drawn ahead of training (a prefetching loader), a
    checkpoint mid-epoch, a resumed sampler with another seed: the same
    indices, the same weights, the same scores as the uninterrupted run."""
    def score(i, t):
        return float((i * 31 + t) % 7 + 1)

    def make(seed):
        return selection(23, 3, dict(type='infobatch'), keep_ratio=0.6,
                         seed=seed)

    full_sampler = make(1)
    full = prefetching_loader(full_sampler, 40, score)
    s = make(1)
    head = prefetching_loader(s, 16, score)
    state = s.state_dict()
    # 5 iterations per epoch: 16 trained, 3 in flight, 19 drawn: the plan
    # of the fourth epoch is in the checkpoint
    assert state['policy']['plan'] is not None
    assert len(state['in_flight']) == 3
    r = make(9)
    r.load_state_dict(state)
    tail = prefetching_loader(r, 24, lambda i, t: score(i, t + 16))
    assert head + tail == full
    np.testing.assert_array_equal(r.table[:], full_sampler.table[:])
    assert any(w != 1.0 for _, ws in full for w in ws)  # weights were used


def test_resume_refuses_another_keep_ratio_or_an_importance_checkpoint():
    s = selection(20, 2, keep_ratio=0.5)
    with pytest.raises(ValueError, match='keep_ratio'):
        selection(20, 2, keep_ratio=0.8).load_state_dict(s.state_dict())
    with pytest.raises(ValueError, match=r"with policy \{'type': "
                       r"'importance'\}, this run has \{'type': 'tiers'"):
        s.load_state_dict(ImportanceSampler(FakeDataset(20), 2,
                                            seed=0).state_dict())


def test_final_fraction_switches_to_random_and_needs_the_epochs():
    s = selection(20, 2, keep_ratio=0.5, final_fraction=0.25)
    with pytest.raises(RuntimeError, match='ImportanceSamplingHook'):
        train(s, 1, lambda i: 1.0)
    s = selection(20, 2, keep_ratio=0.5, final_fraction=0.25)
    # 8 epochs of 5 iterations: epochs 6 and 7 are the final quarter
    s.set_run_length(8 * s.iters_per_epoch)
    finals = []
    for e in range(8):
        train(s, 1, lambda i: float(i))
        finals.append(s.policy.epoch_counts['final_phase'])
        assert ('selected_hard' in s.policy.epoch_counts) == (
            e not in (0, 1, 6, 7))  # epochs 0, 1 train the never-trained
    assert finals == [0, 0, 0, 0, 0, 0, 1, 1]


def test_keep_ratio_one_with_a_large_batch_wraps_like_default_sampler():
    s = selection(10, 4, dict(type='random'), keep_ratio=1.0)
    # ceil(10 / 4) = 3 iterations, 12 slots for 10 images
    batches = train(s, 2, lambda i: 1.0)
    epoch = sum(batches[:3], [])
    assert len(epoch) == 12 and set(epoch) == set(range(10))


def test_random_rule_is_uniform():
    counts, rng = np.zeros(8), np.random.default_rng(0)
    for _ in range(20000):
        sel = RandomPolicy().select(np.arange(8.0), np.ones(8, np.int64), 3,
                                    rng)
        assert len(set(sel.index.tolist())) == 3
        counts[sel.index] += 1
    # each image in 3 / 8 of the epochs; binomial std 0.0034
    np.testing.assert_allclose(counts / 20000, 3 / 8, atol=0.015)


def test_0_1_spellings_are_refused_with_what_to_write():
    with pytest.raises(TypeError, match=r"unknown key train_dataloader\."
                       r"sampler\.rule='tiers': write train_dataloader\."
                       r"sampler\.policy=dict\(type=RULE"):
        ImportanceSampler(FakeDataset(30), 3, rule='tiers')
    with pytest.raises(TypeError, match=r"sampler\.mode='rejection': write "
                       r"train_dataloader\.sampler\.policy=dict\(type="
                       r"'importance', mode=\.\.\.\)"):
        ImportanceSampler(FakeDataset(30), 3, mode='rejection')
    # a string where a config dict belongs, not "dictionary update sequence"
    with pytest.raises(TypeError, match=r"sampler\.policy='tiers' must be a "
                       r"dict: write train_dataloader\.sampler\.policy="
                       r"dict\(type='tiers', \.\.\.\)"):
        ImportanceSampler(FakeDataset(30), 3, policy='tiers')
