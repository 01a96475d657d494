"""tools/misc/verify_images.py names the JPEG that libjpeg reports as
corrupt (which training decodes silently) and the one it cannot decode."""
import os.path as osp
import shutil

from conftest import REPO_ROOT, load_tool

verify = load_tool('misc/verify_images.py')
FRAMES = osp.join(REPO_ROOT, 'data', 'kitti_tiny')


def test_corrupt_and_truncated_jpegs_are_named(tmp_path, capsys):
    shutil.copytree(osp.join(FRAMES, 'labels'), tmp_path / 'labels')
    (tmp_path / 'images').mkdir()
    for i in range(3):
        shutil.copy(osp.join(FRAMES, 'images', f'{i:06d}.jpg'),
                    tmp_path / 'images')
    good = (tmp_path / 'images' / '000000.jpg').read_bytes()
    # bytes before the end-of-image marker: decodes, libjpeg complains
    (tmp_path / 'images' / '000001.jpg').write_bytes(
        good[:-2] + b'\x11\x22\x33\x44' + good[-2:])
    # cut in half: does not decode
    (tmp_path / 'images' / '000002.jpg').write_bytes(good[:len(good) // 2])
    (tmp_path / 'split.txt').write_text('000000\n000001\n000002\n')
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(
        "custom_imports = dict(imports=['mmdet_is'])\n"
        "train_dataloader = dict(dataset=dict(type='KittiDataset', "
        f"data_root={str(tmp_path)!r}, ann_file='split.txt', pipeline=[]))\n")
    assert verify.main([str(cfg)]) == 1
    out = capsys.readouterr().out
    assert '000000.jpg' not in out
    assert '000001.jpg: Corrupt JPEG data: 2 extraneous bytes' in out
    assert '000002.jpg: ' in out
    assert '2 of 3 images of the train split did not decode cleanly' in out
