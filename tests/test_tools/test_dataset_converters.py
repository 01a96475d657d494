"""The DeepPCB and underwater converters on tiny copies of the public
layouts, against COCO records worked out by hand. (Run on the full public
repositories they reproduce data/deeppcb and data/underwater exactly.)"""
import json
import os
import os.path as osp

from conftest import load_tool

deeppcb = load_tool('dataset_converters/deeppcb_to_coco.py')
underwater = load_tool('dataset_converters/underwater_to_coco.py')


def write(path, text='x'):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def deeppcb_fixture(root):
    pcb = osp.join(root, 'PCBData')
    for stem, boxes in (('20085000', '409 394 435 422 3\n8 163 36 191 4\n'),
                        ('20085291', '263,63,299,90,1\n')):
        write(osp.join(pcb, 'group20085', '20085', f'{stem}_test.jpg'))
        write(osp.join(pcb, 'group20085', '20085', f'{stem}_temp.jpg'))
        write(osp.join(pcb, 'group20085', '20085_not', f'{stem}.txt'), boxes)
    for name, stem in (('trainval.txt', '20085000'), ('test.txt', '20085291')):
        write(osp.join(pcb, name), f'group20085/20085/{stem}.jpg '
              f'group20085/20085_not/{stem}.txt\n')
    return pcb


def test_deeppcb_boxes_and_ids_worked_by_hand(tmp_path):
    deeppcb_fixture(str(tmp_path / 'src'))
    out = str(tmp_path / 'out')
    assert deeppcb.main([str(tmp_path / 'src'), out]) == 0
    train = json.load(open(osp.join(out, 'annotations', 'train.json')))
    test = json.load(open(osp.join(out, 'annotations', 'test.json')))
    assert train['images'] == [dict(id=20085000, file_name='20085000_test.jpg',
                                    width=640, height=640)]
    # 409 394 435 422 -> x, y, w = 435 - 409 = 26, h = 422 - 394 = 28
    assert train['annotations'] == [
        dict(id=1, image_id=20085000, category_id=3, bbox=[409, 394, 26, 28],
             area=728, iscrowd=0),
        dict(id=2, image_id=20085000, category_id=4, bbox=[8, 163, 28, 28],
             area=784, iscrowd=0)]
    # commas too; box ids go on from the training split's
    assert test['annotations'] == [
        dict(id=3, image_id=20085291, category_id=1, bbox=[263, 63, 36, 27],
             area=972, iscrowd=0)]
    assert [c['name'] for c in train['categories']] == [
        'open', 'short', 'mousebite', 'spur', 'copper', 'pin-hole']
    assert sorted(os.listdir(osp.join(out, 'images'))) == [
        '20085000_test.jpg', '20085291_test.jpg']  # no templates


def test_deeppcb_names_a_bad_line_and_a_missing_file(tmp_path, capsys):
    pcb = deeppcb_fixture(str(tmp_path / 'src'))
    bad = osp.join(pcb, 'group20085', '20085_not', '20085000.txt')
    write(bad, '409 394 435 422 3\n409 394 435 9\n')
    assert deeppcb.main([pcb, str(tmp_path / 'out')]) == 1
    assert f'{bad}:2: want "x1 y1 x2 y2 type"' in capsys.readouterr().err
    os.remove(bad)
    assert deeppcb.main([pcb, str(tmp_path / 'out')]) == 1
    assert f'names {bad}, which is missing' in capsys.readouterr().err


def test_underwater_moves_images_and_mends_xml_names(tmp_path, capsys):
    src = str(tmp_path / 'src')
    for split in ('train', 'val', 'test'):
        write(osp.join(src, 'imgs', split, '000050.jpg'))
        images = [dict(file_name='000050.xml', height=405, width=720, id=50)]
        anns = [dict(area=8325, iscrowd=0, image_id=50, bbox=[609, 175, 111,
                                                              75],
                     category_id=0, id=1, ignore=0, segmentation=[])]
        write(osp.join(src, 'annotations', 'coco', f'instances_{split}.json'),
              json.dumps(dict(images=images, type='instances',
                              annotations=anns, categories=[])))
    out = str(tmp_path / 'out')
    assert underwater.main([src, out, '--link']) == 0
    coco = json.load(open(osp.join(out, 'annotations', 'coco',
                                   'instances_val.json')))
    assert coco['images'][0]['file_name'] == '000050.jpg'
    assert coco['annotations'][0]['bbox'] == [609, 175, 111, 75]
    assert osp.islink(osp.join(out, 'images', 'val', '000050.jpg'))
    os.remove(osp.join(src, 'imgs', 'test', '000050.jpg'))
    assert underwater.main([src, str(tmp_path / 'out2')]) == 1
    assert 'lists 000050.xml but' in capsys.readouterr().err
