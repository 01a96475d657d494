"""Unbiased loss weights, annealing to uniform, staleness and exposure."""
import numpy as np
import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmengine.structures import InstanceData
from scipy.stats import chisquare

from conftest import FakeDataset
from mmdet.registry import HOOKS, MODELS
from mmdet_is.datasets import (ImportanceSampler, anneal_lambda,
                               importance_weights)
from mmdet_is.models.utils import IMPORTANCE_WEIGHT_KEY
from runner_helpers import make_cfg



def after_first_pass(n, batch, scores, **policy):
    s = ImportanceSampler(FakeDataset(n), batch, seed=0,
                          policy=dict(type='importance', **policy))
    for _ in range(s.iters_per_epoch):
        s.next_global_batch()
    s.update(np.arange(n), scores)
    return s


def test_weights_by_hand():
    # N = 4, q = (1/2, 1/4, 1/4): 1 / (N q) = (0.5, 1, 1), batch mean 5/6
    w, clipped = importance_weights([.5, .25, .25], 4, max_weight=10.0,
                                    normalize=False)
    np.testing.assert_allclose(w, [0.5, 1.0, 1.0])
    assert clipped == 0
    w, clipped = importance_weights([.5, .25, .25], 4, max_weight=10.0)
    np.testing.assert_allclose(w, [0.6, 1.2, 1.2])  # divided by 5/6
    w, clipped = importance_weights([.5, .25, .25], 4, max_weight=1.0)
    np.testing.assert_allclose(w, [0.6, 1.0, 1.0])
    assert clipped == 2
    with pytest.raises(ValueError, match='max_weight'):
        importance_weights([.5], 4, max_weight=0)
    with pytest.raises(ValueError, match=r'\(0, 1\]'):
        importance_weights([0.0], 4)


def test_anneal_schedule_by_hand():
    assert anneal_lambda(0.5, 0.85, 0.85) == 0.0
    assert anneal_lambda(0.85, 0.85, 0.85) == 1.0
    assert anneal_lambda(0.7, 0.6, 1.0) == pytest.approx(0.25)
    assert anneal_lambda(1.0, 0.6, 1.0) == 1.0
    with pytest.raises(ValueError, match='begin <= end'):
        anneal_lambda(0.1, 0.9, 0.5)


def tiny_head():
    head = MODELS.build(dict(
        type='FCOSSoftmaxHead', num_classes=2, in_channels=4,
        feat_channels=4, stacked_convs=1, strides=(8, ), norm_cfg=None))
    head.init_weights()
    return head


def image_loss(head, feat, gt, weight=None):
    meta = dict(img_shape=(32, 32), pad_shape=(32, 32))
    if weight is not None:
        meta[IMPORTANCE_WEIGHT_KEY] = weight
    losses = head.loss_by_feat(*head(feat), [gt], [meta])
    return losses['loss_cls'] + losses['loss_bbox']


def test_expected_weighted_gradient_equals_the_uniform_one():
    """Exact sum over the sampling distribution, one image per step: for
    every parameter, sum_i q_i grad(w_i L_i) = (1 / N) sum_i grad L_i with
    w_i = 1 / (N q_i) applied by the head to both loss terms."""
    torch.manual_seed(0)
    head = tiny_head()
    n = 3
    feats = [(torch.randn(1, 4, 4, 4), ) for _ in range(n)]
    gts = [InstanceData(bboxes=torch.tensor(b), labels=torch.tensor(c))
           for b, c in (([[2., 2., 20., 14.]], [0]),
                        ([[8., 4., 30., 30.], [0., 0., 10., 10.]], [1, 0]),
                        ([[12., 12., 28., 20.]], [1]))]
    s = after_first_pass(n, 1, [1.0, 2.0, 5.0], smoothing=True)
    q = s.policy.draw_probability(np.arange(n))
    assert q.sum() == pytest.approx(1.0) and q.max() > 2 * q.min()
    w, _ = importance_weights(q, n, max_weight=1e9, normalize=False)

    def grads(loss):
        head.zero_grad()
        loss.backward()
        return torch.cat([p.grad.flatten() for p in head.parameters()
                          if p.grad is not None])

    expected = sum(q[i] * grads(image_loss(head, feats[i], gts[i], w[i]))
                   for i in range(n))
    uniform = sum(grads(image_loss(head, feats[i], gts[i]))
                  for i in range(n)) / n
    torch.testing.assert_close(expected, uniform, rtol=1e-5, atol=1e-7)
    # and without the weights the expectation is the biased one
    biased = sum(q[i] * grads(image_loss(head, feats[i], gts[i]))
                 for i in range(n))
    assert not torch.allclose(biased, uniform, rtol=1e-3)


def test_lam_one_draws_uniformly_and_a_mix_as_its_formula():
    n = 20
    scores = np.arange(n, dtype=float) ** 2
    s = after_first_pass(n, 4, scores)
    p = s.policy.probabilities()
    s.policy.uniform_mix = 1.0
    counts = np.bincount(s.policy.draw(40000), minlength=n)
    assert chisquare(counts).pvalue > 0.01
    assert s.diagnostics()['ess_fraction'] == pytest.approx(1.0)
    s.policy.uniform_mix = 0.3
    q = 0.7 * p + 0.3 / n
    np.testing.assert_allclose(s.policy.draw_probability(np.arange(n)), q)
    counts = np.bincount(s.policy.draw(40000), minlength=n)
    assert chisquare(counts, 40000 * q).pvalue > 0.01
    assert s.diagnostics()['ess_fraction'] == pytest.approx(
        1 / (n * (q**2).sum()))


def test_loss_weights_survive_a_resume():
    s = after_first_pass(10, 2, np.arange(1.0, 11.0),
                         unbiased=dict(normalize=False))
    s.policy.uniform_mix = 0.25
    it = iter(s)
    for _ in range(3 * 2):  # three batches yielded, one of them trained
        next(it)
    s.pop_trained()
    state = s.state_dict()
    in_flight = [(b.tolist(), w.tolist()) for b, w in zip(
        state['in_flight'], state['in_flight_weights'])]
    assert len(in_flight) == 2 and in_flight[0][1] != [1.0, 1.0]
    r = ImportanceSampler(FakeDataset(10), 2, seed=7,
                          policy=dict(type='importance',
                                      unbiased=dict(normalize=False)))
    r.load_state_dict(state)
    assert r.policy.uniform_mix == 0.25
    it = iter(r)
    for k in range(2):
        [next(it) for _ in range(2)]
        batch, w = r.next_to_train()
        assert (batch.tolist(), w.tolist()) == in_flight[0]
        r.pop_trained()
        in_flight.pop(0)


def test_score_age_and_images_not_drawn_by_hand():
    s = ImportanceSampler(FakeDataset(4), 2, seed=0,
                          policy=dict(type='importance', smoothing=False))
    first = [s.next_global_batch()[0].tolist() for _ in range(2)]
    assert 'score_age' not in s.diagnostics()  # nothing drawn twice yet
    s.update(np.arange(4), [0.0, 0.0, 0.0, 1.0])  # only image 3 can be drawn
    assert s.next_global_batch()[0].tolist() == [3, 3]
    was = 0 if 3 in first[0] else 1  # batch where image 3 was drawn before
    stats = s.diagnostics()
    assert stats['score_age'] == 2 - was
    # 3 global batches drawn, epoch length 2: images last drawn in batch 0
    # were not drawn in the last 2 batches
    not_drawn = [i for i in first[0] if i != 3]
    assert stats['not_drawn_last_epoch'] == len(not_drawn) / 4


@HOOKS.register_module()
class _RecordWeightsHook(Hook):
    """Runs after ImportanceSamplingHook's before_train_iter."""
    priority = 'BELOW_NORMAL'

    def __init__(self):
        self.steps = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        # no loader workers: the batch was drawn just now, from the table
        # as it is, so its draw probabilities are the policy's now
        sampler = runner.train_dataloader.sampler
        batch, weights = sampler.next_to_train()
        q = sampler.policy.draw_probability(batch)
        w = [s.metainfo[IMPORTANCE_WEIGHT_KEY]
             for s in data_batch['data_samples']]
        assert w == weights.tolist()
        self.steps.append((q.tolist(), w, sampler.policy.uniform_mix))


def test_unbiased_and_annealed_training_in_the_runner(tmp_path):
    cfg = make_cfg(str(tmp_path), 3)  # 3 x 3 iterations
    cfg.train_dataloader.sampler.policy.update(
        unbiased=dict(max_weight=1.5), anneal=dict(begin=0.5, end=0.5))
    cfg.custom_hooks[0].log_interval = 1
    cfg.custom_hooks.append(dict(type='_RecordWeightsHook'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    steps = [h for h in runner.hooks
             if isinstance(h, _RecordWeightsHook)][0].steps
    assert len(steps) == 9
    for k, (q, w, lam) in enumerate(steps):
        if k < 3:  # the permutation pass: q = 1 / N, weight 1
            assert w == [1.0] * 4
            continue
        # lam follows iterations done / 9: 1 from iteration 5 (5/9 >= 0.5)
        assert lam == (1.0 if k >= 5 else 0.0)
        expect = 1 / (10 * np.array(q))
        expect = np.minimum(expect / expect.mean(), 1.5)
        np.testing.assert_allclose(w, expect)
    hub = runner.message_hub
    assert hub.get_scalar('train/importance_uniform_mix').current() == 1.0
    assert hub.get_scalar('train/importance_ess_fraction').current() == \
        pytest.approx(1.0)
    exposure = [k for k in hub.log_scalars if 'importance_exposure_' in k]
    assert exposure  # one per class present in the 10 frames


def test_unbiased_refuses_rejection_sampling(tmp_path):
    cfg = make_cfg(str(tmp_path), 1)
    cfg.train_dataloader.sampler.policy.update(unbiased=dict(),
                                               mode='rejection')
    with pytest.raises(ValueError, match="mode='multinomial'"):
        Runner.from_cfg(cfg).train()
