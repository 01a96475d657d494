"""The ImportanceSampler on the training paths users run: dataset wrappers,
prefetching workers, iteration-based loops and their resume (real KITTI
frames through mmengine's Runner)."""
import os.path as osp

import numpy as np
import pytest
from mmengine.runner import Runner

from conftest import load_checkpoint_file, prefetching_loader
from mmdet_is.datasets import ImportanceSampler
from runner_helpers import iter_cfg, make_cfg, recorded


def wrapped_cfg(work_dir, wrap):
    cfg = make_cfg(work_dir, 2)
    cfg.custom_hooks.append(dict(type='_RecordDrawnHook'))
    inner = cfg.train_dataloader.dataset
    cfg.train_dataloader.dataset = wrap(inner)
    return cfg


def first_half(inner):
    return dict(inner, indices=list(range(5)))


def second_half(inner):
    return dict(inner, indices=list(range(5, 10)))


WRAPPERS = {
    # frames 0-4 then 5-9: outer index 7 is frame 000007, whose inner
    # sample_idx is 2, the index of frame 000002 in the other half
    'ConcatDataset': lambda d: dict(
        type='ConcatDataset', datasets=[first_half(d), second_half(d)]),
    'RepeatDataset': lambda d: dict(type='RepeatDataset', times=2,
                                    dataset=d),
    'ClassBalancedDataset': lambda d: dict(
        type='ClassBalancedDataset', oversample_thr=0.5, dataset=d),
}


@pytest.mark.parametrize('wrapper', sorted(WRAPPERS))
def test_scores_land_on_the_image_drawn_under_wrappers(tmp_path, wrapper):
    runner = Runner.from_cfg(
        wrapped_cfg(str(tmp_path), WRAPPERS[wrapper]))
    runner.train()
    dataset = runner.train_dataloader.dataset
    assert len(dataset) >= 10
    table = runner.train_dataloader.sampler.table
    last = {}
    for drawn, paths, scores, _ in recorded(runner).steps:
        # the image trained is the image of the index drawn ...
        assert paths == [dataset.get_data_info(i)['img_path']
                         for i in drawn]
        last.update(zip(drawn, scores))
    # ... and its score is in the table at that index, nowhere else
    for i, v in last.items():
        assert table[i] == np.float32(v)
    never = sorted(set(range(len(dataset))) - set(last))
    assert all(table[i] == 1.0 for i in never)  # init_score, untouched


def test_mosaic_score_goes_to_the_drawn_image_only(tmp_path):
    """MultiImageMixDataset + Mosaic: a mosaic of the drawn image and three
    random others is scored as the drawn image (its index in the table);
    the three others keep their own scores."""
    def mosaic(inner):
        load = [t for t in inner.pipeline
                if t.type in ('CheckedLoadImageFromFile', 'LoadAnnotations')]
        rest = [t for t in inner.pipeline
                if t.type not in ('CheckedLoadImageFromFile',
                                  'LoadAnnotations')]
        return dict(type='MultiImageMixDataset',
                    dataset=dict(inner, pipeline=load),
                    pipeline=[dict(type='Mosaic', img_scale=(320, 96),
                                   prob=1.0)] + rest)

    runner = Runner.from_cfg(wrapped_cfg(str(tmp_path), mosaic))
    runner.train()
    inner = runner.train_dataloader.dataset.dataset
    table = runner.train_dataloader.sampler.table
    last = {}
    for drawn, paths, scores, _ in recorded(runner).steps:
        assert paths == [inner.get_data_info(i)['img_path'] for i in drawn]
        last.update(zip(drawn, scores))
    for i, v in last.items():
        assert table[i] == np.float32(v)


def test_a_regrouping_batch_sampler_is_refused(tmp_path):
    cfg = make_cfg(str(tmp_path), 1)
    cfg.train_dataloader.batch_sampler = dict(type='AspectRatioBatchSampler')
    with pytest.raises(TypeError, match='train_dataloader.batch_sampler=None'):
        Runner.from_cfg(cfg).train()


def test_iteration_based_resume_continues_the_same_stream(tmp_path):
    loop = 'ImportanceIterBasedTrainLoop'
    full = Runner.from_cfg(iter_cfg(str(tmp_path / 'a'), 11,
                                    loop))
    full.train()
    steps = recorded(full).steps
    assert len(steps) == 11
    ckpt = load_checkpoint_file(tmp_path / 'a' / 'iter_8.pth')
    state = ckpt['importance_sampler']
    # trained 8, prefetched 2 more by the worker: drawn ahead, kept
    assert state['batches_trained'] == 8 and len(state['in_flight']) == 2
    assert [b.tolist() for b in state['in_flight']] == [
        d for d, _, _, _ in steps[8:10]]

    part = str(tmp_path / 'b')
    Runner.from_cfg(iter_cfg(part, 8, loop)).train()
    cfg = iter_cfg(part, 11, loop)
    cfg.resume, cfg.load_from = True, osp.join(part, 'iter_8.pth')
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    after = recorded(resumed).steps
    # iterations 9-11: the same indices (two replayed from the checkpoint,
    # one drawn afresh across the epoch boundary) and the same scores
    assert [d for d, *_ in after] == [d for d, *_ in steps[8:]]
    np.testing.assert_allclose([s for _, _, s, _ in after],
                               [s for _, _, s, _ in steps[8:]], rtol=1e-4)
    sampler = resumed.train_dataloader.sampler
    assert sampler.batches_drawn == full.train_dataloader.sampler.batches_drawn
    # no noise in the log: mmengine's InfiniteSampler advice at the epoch
    # end, or a resumed-key warning for the per-step ingredients
    log = open(osp.join(resumed.log_dir,
                        osp.basename(resumed.log_dir) + '.log')).read()
    assert 'Reach the end of the dataloader' not in log
    assert 'resumed key' not in log
    np.testing.assert_array_equal(sampler.table[:],
                                  full.train_dataloader.sampler.table[:])


def test_mmengine_iter_loop_resume_is_refused(tmp_path):
    part = str(tmp_path)
    Runner.from_cfg(iter_cfg(part, 4,
                             'IterBasedTrainLoop')).train()
    cfg = iter_cfg(part, 6, 'IterBasedTrainLoop')
    cfg.resume, cfg.load_from = True, osp.join(part, 'iter_4.pth')
    with pytest.raises(TypeError, match='ImportanceIterBasedTrainLoop'):
        Runner.from_cfg(cfg).train()


def test_prefetched_batches_are_replayed_after_a_resume():
    """A loader that keeps 3 batches in flight: the resumed sampler yields
    the 3 drawn-but-untrained batches first, then continues the stream,
    and stops at the end of the epoch it was in."""
    class Data:
        def __len__(self):
            return 17

    def score(i, t):
        return float((i * 31 + t) % 7 + 1)

    def loader(s, steps, score):
        return [b for b, _ in prefetching_loader(s, steps, score)]

    full = loader(ImportanceSampler(Data(), 3, seed=1), 20, score)
    s = ImportanceSampler(Data(), 3, seed=1)
    head = loader(s, 8, score)
    state = s.state_dict()
    assert len(state['in_flight']) == 3 and state['batches_trained'] == 8
    r = ImportanceSampler(Data(), 3, seed=5)
    r.load_state_dict(state)
    # 6 iterations per epoch; 8 trained: the resumed first pass yields the
    # 4 batches left of epoch 2 (3 replayed + 1 new)
    assert len(list(iter(r))) == 4 * 3
    r = ImportanceSampler(Data(), 3, seed=5)
    r.load_state_dict(state)
    tail = loader(r, 12, lambda i, t: score(i, t + 8))
    assert head + tail == full


def test_rejection_active_images_lead_training_by_the_batches_in_flight():
    """Algorithm 5's active images are those of the last batch drawn: with
    one worker (prefetch_factor 2) that is the batch trained two steps after
    the one the hook has just scored, not that one."""
    s = ImportanceSampler(list(range(8)), 2, seed=0,
                          policy=dict(type='importance', mode='rejection'))

    def epochs():
        while True:
            yield from iter(s)

    it = epochs()
    for _ in range(2):  # the worker's prefetch
        [next(it) for _ in range(2)]
    for step in range(10):  # the first pass is 4 steps, then rejection
        [next(it) for _ in range(2)]  # next() puts one more index batch
        trained = s.pop_trained()  # the hook, after the step
        state = s.state_dict()
        in_flight = [b.tolist() for b in state['in_flight']]
        assert [len(b) for b in in_flight] == [2, 2]
        assert state['policy']['active'].tolist() == in_flight[1]
        s.update(trained, np.arange(1.0, 3.0))
