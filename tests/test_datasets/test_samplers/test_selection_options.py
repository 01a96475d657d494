"""The options the long-schedule study measures: a cap on the hard tier,
images stuck at the top score retired, selection only from a given epoch,
and importance draws within a selected subset (subset_importance); each
worked by hand, and resumed exactly with batches in flight."""
import numpy as np
import pytest

from conftest import FakeDataset, prefetching_loader
from mmdet_is.datasets import ImportanceSampler, TierPolicy

SCORES = np.arange(10) / 10  # 0.0, 0.1, ..., 0.9



def sampler(n, batch, policy, seed=0):
    return ImportanceSampler(FakeDataset(n), batch, seed=seed, policy=policy)


def train(s, epochs, score):
    """Train ``epochs`` epochs, each batch scored right after it is drawn;
    the images of each epoch."""
    out = []
    for _ in range(epochs):
        it, images = iter(s), []
        for _ in range(s.iters_per_epoch):
            batch = [next(it) for _ in range(s.batch_size)]
            assert s.pop_trained().tolist() == batch
            s.update(batch, [score(i) for i in batch])
            images += batch
        out.append(images)
    return out


def test_hard_cap_keeps_the_oldest_hard_images_due():
    # hard = {6, 7, 8, 9}; k = 5, hard_cap 0.4: floor(2.0) = 2 stay due,
    # the longest left out (6: 3 epochs, 7: 2); medium quota round(0.4 *
    # 3) = 1, easy 0; the last 2 slots uniform over the 6 not taken
    rule = TierPolicy(quantiles=(0.3, 0.6), fractions=(0.4, 0.02),
                      max_age=(3, 10), hard_cap=0.4)
    ages = np.ones(10, np.int64)
    ages[6], ages[7] = 3, 2
    sel = rule.select(SCORES, ages, 5, np.random.default_rng(0))
    picked = set(sel.index.tolist())
    assert len(picked) == 5 and {6, 7} <= picked
    assert len(picked & {3, 4, 5}) >= 1
    assert sel.counts['hard_capped'] == 2
    with pytest.raises(ValueError, match='hard_cap'):
        TierPolicy(hard_cap=1.5)


def test_images_stuck_at_the_top_score_are_retired():
    """20 images, 10 an epoch: images 0-4 always score 1.0 (the detector
    never gets them right), the others 0.05-0.95. Without retirement they
    are hard and train every epoch; with stuck_score=1.0 they are easy
    after two trainings at 1.0 and train only when due (every 10 epochs)
    or by the easy quota and the uniform fill."""
    def score(i):
        return 1.0 if i < 5 else (i - 4) / 16

    def stuck_trainings(policy):
        s = sampler(20, 2, dict(policy, type='tiers', keep_ratio=0.5))
        epochs = train(s, 10, score)
        return sum(len(set(e) & set(range(5))) for e in epochs[5:]), s

    kept, _ = stuck_trainings({})
    assert kept == 5 * 5  # every epoch from epoch 5 on
    retired, s = stuck_trainings(dict(stuck_score=1.0, retire_after=2))
    assert retired < kept / 2
    assert s.policy.epoch_counts['retired'] == 5
    assert (s.policy.stuck[:5] >= 2).all() and (s.policy.stuck[5:] == 0).all()


def test_select_from_epoch_picks_uniformly_before_it():
    s = sampler(20, 2, dict(type='tiers', keep_ratio=0.5,
                            select_from_epoch=4))
    for e in range(6):
        train(s, 1, lambda i: float(i))
        # epochs 0, 1 train the never-trained; 2, 3 uniform; then tiers
        assert ('selected_hard' in s.policy.epoch_counts) == (e >= 4), e


def test_subset_importance_draws_by_score_within_the_subset():
    """The subset: tiers, keep 0.5 of 20 (K = 10), whose hard tier holds
    image 3 (score 1; the others 0). Without smoothing all 10 slots go to
    image 3; with it (eq. 4.3 within the subset, c = S_K / K^2 = 1/100) to
    image 3 with p = 1.01 / 1.1 and to each other member with
    0.01 / 1.1. The warm-up trains every image once."""
    def plans(smoothing, epochs):
        s = sampler(20, 2, dict(type='subset_importance', keep_ratio=0.5,
                                subset=dict(type='tiers'),
                                smoothing=smoothing))
        warm_up = train(s, 2, lambda i: 1.0 if i == 3 else 0.0)
        assert sorted(sum(warm_up, [])) == list(range(20))
        return [s.policy.plan(2 + e)[0] for e in range(epochs)]

    assert all(p.tolist() == [3] * 10 for p in plans(False, 5))
    draws = np.concatenate(plans(True, 400))
    assert np.mean(draws == 3) == pytest.approx(1.01 / 1.1, abs=0.02)


@pytest.mark.parametrize('policy', [
    dict(type='tiers', keep_ratio=0.6, hard_cap=0.3, stuck_score=6.0),
    dict(type='subset_importance', keep_ratio=0.6,
         subset=dict(type='tiers'))])
def test_the_options_resume_exactly_with_batches_in_flight(policy):
    def score(i, t):
        return float((i * 31 + t) % 7)

    full = prefetching_loader(sampler(23, 3, policy, seed=1), 40, score)
    s = sampler(23, 3, policy, seed=1)
    head = prefetching_loader(s, 16, score)
    r = sampler(23, 3, policy, seed=9)
    r.load_state_dict(s.state_dict())
    assert head + prefetching_loader(r, 24,
                                     lambda i, t: score(i, t + 16)) == full
