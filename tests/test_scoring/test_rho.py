"""RHO: hold-out split, irreducible-loss file, scores and eq. 4.6."""
import json

import numpy as np
import pytest
import torch

from conftest import load_tool
from mmdet_is.datasets import ImportanceSampler
from mmdet_is.scoring import (load_irreducible_losses, rho_scores,
                              save_irreducible_losses)

split = load_tool('rho/split_holdout.py')
CFG = dict(heuristic='lis', reduction='mean', ignore_regression=False)


def test_split_is_disjoint_complete_and_reproducible():
    ids = [f'{i:06d}' for i in range(81)]
    main, holdout = split.split_ids(ids, 0.15, seed=0)
    assert len(holdout) == 12  # round(0.15 * 81 = 12.15)
    assert not set(main) & set(holdout)
    assert sorted(main + holdout) == ids
    assert main == sorted(main) and holdout == sorted(holdout)  # input order
    assert split.split_ids(ids, 0.15, seed=0) == (main, holdout)
    assert split.split_ids(ids, 0.15, seed=1)[1] != holdout
    with pytest.raises(ValueError, match='twice'):
        split.split_ids(ids + ids[:1])
    with pytest.raises(ValueError, match='one part empty'):
        split.split_ids(ids[:3], 0.1)


def test_split_files_txt_and_coco(tmp_path):
    (tmp_path / 'train.txt').write_text(''.join(f'{i:06d}\n'
                                                for i in range(20)))
    assert split.main([str(tmp_path / 'train.txt')]) == 0
    main = (tmp_path / 'train_main.txt').read_text().split()
    holdout = (tmp_path / 'train_holdout.txt').read_text().split()
    assert len(holdout) == 3 and sorted(main + holdout) == \
        [f'{i:06d}' for i in range(20)]
    coco = dict(images=[dict(id=i) for i in range(10)],
                annotations=[dict(id=k, image_id=k % 10) for k in range(25)],
                categories=[dict(id=1, name='Vehicle')])
    (tmp_path / 'train.json').write_text(json.dumps(coco))
    assert split.main([str(tmp_path / 'train.json'), '--fraction', '0.3',
                       '--seed', '3']) == 0
    parts = [json.loads((tmp_path / f'train_{p}.json').read_text())
             for p in ('main', 'holdout')]
    img_sets = [{i['id'] for i in p['images']} for p in parts]
    assert len(img_sets[1]) == 3 and img_sets[0] | img_sets[1] == set(
        range(10)) and not img_sets[0] & img_sets[1]
    for p, imgs in zip(parts, img_sets):  # annotations follow their image
        assert {a['image_id'] for a in p['annotations']} == imgs
        assert p['categories'] == coco['categories']
    assert sum(len(p['annotations']) for p in parts) == 25
    with pytest.raises(ValueError, match='bad.csv'):
        (tmp_path / 'bad.csv').write_text('x')
        split.main([str(tmp_path / 'bad.csv')])


def test_irreducible_loss_file_round_trips(tmp_path):
    path = str(tmp_path / 'rho' / 'irr.json')
    save_irreducible_losses(path, {81: 0.25, 5: 1.5, 7: -0.125}, CFG,
                            ('Pedestrian', 'Vehicle'), 'ckpt.pth')
    record = json.loads(open(path).read())
    assert record['classes'] == ['Pedestrian', 'Vehicle']
    assert record['heuristic'] == 'lis'
    np.testing.assert_array_equal(
        load_irreducible_losses(path, [7, 81, 5], CFG), [-0.125, 0.25, 1.5])
    with pytest.raises(ValueError, match="'heuristic': 'uis'"):
        load_irreducible_losses(path, [7], dict(CFG, heuristic='uis'))
    with pytest.raises(ValueError) as err:
        load_irreducible_losses(path, [5, 6, 7, 8], CFG)
    assert '2 of 4 training images' in str(err.value)
    assert 'img_id 6, 8.' in str(err.value)
    with pytest.raises(FileNotFoundError, match='nothere.json'):
        load_irreducible_losses(str(tmp_path / 'nothere.json'), [5])


def test_rho_scores_and_minmax_sampling_by_hand():
    # L_train - L_ho = [3 - 1, 1 - .5, 2.5 - 2, .5 - 1.5] = [2, .5, .5, -1]
    s = rho_scores(torch.tensor([3.0, 1.0, 2.5, 0.5]),
                   torch.tensor([1.0, 0.5, 2.0, 1.5], dtype=torch.float64))
    assert s.tolist() == [2.0, 0.5, 0.5, -1.0]
    # eq. 4.6: (s - min) / (max - min) = [3, 1.5, 1.5, 0] / 3
    #        = [1, .5, .5, 0]; eq. 4.3: c = (1 / 16) * 2 = .125
    # p = [1.125, .625, .625, .125] / 2.5 = [.45, .25, .25, .05]
    sampler = ImportanceSampler(list(range(4)), batch_size=1, seed=0,
                                policy=dict(type='importance',
                                            rescale='minmax'))
    assert sampler.update(np.arange(4), s) == 0  # negatives accepted
    np.testing.assert_allclose(sampler.policy.probabilities(),
                               [.45, .25, .25, .05])
    counts = np.bincount(sampler.policy.draw(200_000), minlength=4) / 200_000
    np.testing.assert_allclose(counts, [.45, .25, .25, .05], atol=0.005)
    # all equal: 0 / 0 in eq. 4.6; uniform
    sampler.update(np.arange(4), np.full(4, -3.0))
    np.testing.assert_allclose(sampler.policy.probabilities(), 0.25)
    assert set(sampler.policy.draw(100)) <= {0, 1, 2, 3}
    plain = ImportanceSampler(list(range(4)), batch_size=1, seed=0)
    assert plain.update(np.arange(4), s) == 1  # -1 kept out without rescale


def test_minmax_sum_tree_draws_match_brute_force_across_blocks():
    rng = np.random.default_rng(0)
    n = 1000  # 16 blocks of 64, the last one partial
    s = rng.normal(0, 1, n)
    s[rng.choice(n, 200, replace=False)] = s.min()  # weight 0 images
    sampler = ImportanceSampler(list(range(n)), batch_size=1, seed=1,
                                policy=dict(type='importance',
                                            rescale='minmax'))
    sampler.update(np.arange(n), s)
    s32 = s.astype(np.float32).astype(np.float64)
    q = s32 - s32.min()
    q = q + q.sum() / n**2
    p = q / q.sum()
    np.testing.assert_allclose(sampler.policy.probabilities(), p, rtol=1e-6)
    draws = sampler.policy.draw(400_000)
    assert draws.max() < n
    freq = np.bincount(draws, minlength=n) / len(draws)
    assert np.abs(freq - p).max() < 5 * np.sqrt(p.max() / len(draws))
    ess = 1 / (p @ p) / n
    assert sampler.diagnostics()['ess_fraction'] == pytest.approx(ess)
    # the smoothing mass draws the zero-weight images too, and only it
    zero = np.flatnonzero(s32 == s32.min())
    assert freq[zero].sum() == pytest.approx(p[zero].sum(), abs=2e-3)
