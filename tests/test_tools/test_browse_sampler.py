"""tools/analysis/browse_sampler.py on a tiny real run: the grid holds the
images drawn most and least (or scored highest and lowest), in rows of 4."""
import numpy as np
from mmengine.runner import Runner
from PIL import Image

from conftest import load_checkpoint_file, load_tool, tiny_kitti_cfg

browse = load_tool('analysis/browse_sampler.py')


def test_choose_by_hand():
    values = np.array([5, 1, 9, 1, 7, 3])
    top, bottom = browse.choose(values, 2)
    assert top.tolist() == [2, 4] and bottom.tolist() == [1, 3]
    # only images 0, 1, 5 allowed: one each way
    top, bottom = browse.choose(values, 2, np.array([1, 1, 0, 0, 0, 1],
                                                    bool))
    assert top.tolist() == [0] and bottom.tolist() == [1]


def test_grid_of_a_tiny_uis_run(tmp_path):
    cfg = tiny_kitti_cfg('fcos_uis_kitti_tiny.py', str(tmp_path), 12, 3)
    Runner.from_cfg(cfg).train()
    state = load_checkpoint_file(
        tmp_path / 'epoch_3.pth')['importance_sampler']
    counts = state['draw_counts'].numpy()

    out = str(tmp_path / 'drawn.png')
    got = browse.main([str(tmp_path), '--num', '4', '--out', out])
    # the 4 most and the 4 least drawn of the 12 images
    assert sorted(counts[got['top']]) == sorted(counts)[-4:]
    assert sorted(counts[got['bottom']]) == sorted(counts)[:4]
    width, height = Image.open(out).size  # 2 rows of 4 tiles
    assert width > height > 0 and width == 4 * 3.2 * 70
    got = browse.main([str(tmp_path), '--view', 'score', '--num', '2',
                       '--class', 'Pedestrian', '--out',
                       str(tmp_path / 'score.png')])
    scores = state['scores'].numpy()
    assert scores[got['top']].min() >= scores[got['bottom']].max()
