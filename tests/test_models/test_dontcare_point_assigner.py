import pytest
import torch
from mmengine.structures import InstanceData

from mmdet.registry import TASK_UTILS


def grid_priors(h, w, stride):
    """Points (s/2 + x s, s/2 + y s), row-major, as MlvlPointGenerator."""
    ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w), indexing='ij')
    pts = torch.stack([xs.flatten(), ys.flatten()], -1).float() * stride
    pts += stride / 2
    s = torch.full((h * w, 1), float(stride))
    return torch.cat([pts, s, s], 1)


def assign(boxes, labels, ignore_boxes=None, h=4, w=4, stride=8, **cfg):
    assigner = TASK_UTILS.build(dict(type='DontCarePointAssigner', **cfg))
    gt = InstanceData(bboxes=torch.tensor(boxes, dtype=torch.float32),
                      labels=torch.tensor(labels))
    ignore = None
    if ignore_boxes is not None:
        ignore = InstanceData(
            bboxes=torch.tensor(ignore_boxes, dtype=torch.float32))
    return assigner.assign(InstanceData(priors=grid_priors(h, w, stride)), gt,
                           ignore)


def idx(x, y, w=4, stride=8):
    """Index of the location whose point is (x, y) pixels."""
    return (y // stride) * w + x // stride


# 4x4 grid, stride 8: points at 4, 12, 20, 28 in x and y.
A = [0, 0, 16, 16]  # area 256: points x, y in {4, 12}
B = [8, 8, 32, 32]  # area 576: points x, y in {12, 20, 28}
D = [18, 18, 30, 30]  # don't-care, area 144: points x, y in {20, 28}


def test_inside_outside_and_smallest_box_wins():
    r = assign([A, B], [0, 1])
    obj = r.get_extra_property('obj_inds')
    assert obj[idx(4, 4)] == 0 and obj[idx(12, 4)] == 0
    assert obj[idx(12, 12)] == 0  # in A (256) and B (576): A wins
    assert obj[idx(20, 12)] == 1 and obj[idx(28, 28)] == 1
    assert obj[idx(20, 4)] == -1 and obj[idx(4, 28)] == -1  # in no box
    expected = torch.full((16, ), -1)
    for x, y in [(4, 4), (12, 4), (4, 12), (12, 12)]:
        expected[idx(x, y)] = 0
    for x, y in [(20, 12), (28, 12), (12, 20), (20, 20), (28, 20), (12, 28),
                 (20, 28), (28, 28)]:
        expected[idx(x, y)] = 1
    assert torch.equal(obj, expected)
    assert torch.equal(r.gt_inds, expected + 1)
    assert torch.equal(r.labels, expected)  # labels 0 (A), 1 (B), -1 bg
    assert r.get_extra_property('care_mask').all()


def test_point_on_the_border_is_outside():
    # point (12, 4) lies on x1 = 12: not strictly inside.
    r = assign([[12, 0, 40, 8]], [0])
    obj = r.get_extra_property('obj_inds')
    assert obj[idx(12, 4)] == -1 and obj[idx(20, 4)] == 0


def test_targets_are_side_distances_divided_by_the_stride():
    r = assign([A, B], [0, 1])
    t = r.get_extra_property('bbox_targets')
    # (4, 4) in A: l=4, t=4, r=12, b=12 pixels -> / 8
    assert torch.allclose(t[idx(4, 4)], torch.tensor([0.5, 0.5, 1.5, 1.5]))
    # (28, 12) in B: l=20, t=4, r=4, b=20 pixels -> / 8
    assert torch.allclose(t[idx(28, 12)], torch.tensor([2.5, 0.5, 0.5, 2.5]))
    assert (t[idx(4, 28)] == 0).all()
    # stride 4 on the same box: the same pixels give twice the units
    r4 = assign([[0, 0, 16, 16]], [0], h=4, w=4, stride=4)
    t4 = r4.get_extra_property('bbox_targets')
    # point (2, 2): l=2, t=2, r=14, b=14 pixels -> / 4
    assert torch.allclose(t4[0], torch.tensor([0.5, 0.5, 3.5, 3.5]))


def test_dontcare_gets_box_targets_but_care_mask_zero():
    r = assign([A, B], [0, 1], ignore_boxes=[D])
    obj = r.get_extra_property('obj_inds')
    care = r.get_extra_property('care_mask')
    t = r.get_extra_property('bbox_targets')
    dc = [idx(x, y) for x, y in [(20, 20), (28, 20), (20, 28), (28, 28)]]
    for i in dc:  # inside B and the smaller D: D wins (smallest box rule)
        assert obj[i] == 2 and not care[i] and r.labels[i] == -1
    assert care.sum() == 16 - 4
    # (20, 20) in D: l=2, t=2, r=10, b=10 pixels -> / 8
    assert torch.allclose(t[idx(20, 20)],
                          torch.tensor([0.25, 0.25, 1.25, 1.25]))
    assert r.num_gts == 3


def test_real_box_smaller_than_dontcare_wins():
    big_dc = [0, 0, 32, 32]
    r = assign([A], [3], ignore_boxes=[big_dc])
    care = r.get_extra_property('care_mask')
    assert care[idx(4, 4)] and r.labels[idx(4, 4)] == 3
    assert not care[idx(28, 28)]


def test_no_boxes_all_background():
    r = assign(torch.zeros(0, 4).tolist(), [])
    assert (r.get_extra_property('obj_inds') == -1).all()
    assert r.get_extra_property('care_mask').all()
    assert (r.labels == -1).all()


def test_center_sampling_and_regress_ranges_are_options():
    wide = [0, 0, 32, 8]  # centre (16, 4); radius 0.75 * 8 = 6 px: (10, 22)
    r = assign([wide], [0], center_sampling=True, center_sample_radius=0.75)
    obj = r.get_extra_property('obj_inds')
    assert obj[:4].tolist() == [-1, 0, 0, -1]  # x = 4, 12, 20, 28
    # Every point of A has a largest side distance of 12 px; in B, (20, 20)
    # has 12 px and (28, 28) has 20 px. Range [0, 13] keeps only the former.
    r = assign([A, B], [0, 1], regress_ranges=[(0, 13)])
    obj = r.get_extra_property('obj_inds')
    assert obj[idx(4, 4)] == 0 and obj[idx(20, 20)] == 1
    assert obj[idx(28, 28)] == -1


def per_image(assigner, priors, gts, ignores):
    """The reference: assign() image by image, stacked."""
    out = [[], [], [], []]
    for gt, ign in zip(gts, ignores):
        r = assigner.assign(InstanceData(priors=priors), gt, ign)
        for k, v in enumerate((r.labels, r.get_extra_property('bbox_targets'),
                               r.get_extra_property('care_mask'),
                               r.get_extra_property('obj_inds'))):
            out[k].append(v)
    return [torch.stack(v) for v in out]


def random_batch(gen, num_imgs, img_w, img_h, max_boxes):
    gts, ignores = [], []
    for b in range(num_imgs):
        def boxes(n):
            xy = torch.rand(n, 2, generator=gen) * torch.tensor(
                [img_w, img_h]) - 20
            wh = torch.rand(n, 2, generator=gen) * torch.tensor(
                [img_w, img_h]) / 3 + 1
            # some boxes exactly on grid points, some duplicated areas
            out = torch.cat([xy, xy + wh], 1)
            out[::3] = out[::3].round() // 4 * 4
            return out
        n = int(torch.randint(0, max_boxes + 1, (1, ), generator=gen))
        gt = InstanceData(bboxes=boxes(n), labels=torch.randint(
            0, 4, (n, ), generator=gen))
        if n > 1:  # a duplicate box: equal areas, the lower index must win
            gt.bboxes[-1] = gt.bboxes[0]
        if n > 4:  # inverted, zero-width on a column of points, and one
            # whose area (>= 1e8) the per-image rule never lets win
            gt.bboxes[1] = torch.tensor([60., 50., 20., 10.])
            gt.bboxes[2] = torch.tensor([20., 0., 20., 40.])
            gt.bboxes[3] = torch.tensor([-2e4, -2e4, 2e4, 2e4])
        gts.append(gt)
        d = int(torch.randint(0, 4, (1, ), generator=gen))
        ignores.append(None if b % 4 == 0 else InstanceData(bboxes=boxes(d)))
    return gts, ignores


@pytest.mark.parametrize('method', ['pairs', 'dense'])
def test_batched_assignment_equals_the_per_image_one(method):
    """Random batches: one level, several levels with regress ranges and
    centre sampling, images without boxes, don't-care boxes, duplicates."""
    gen = torch.Generator().manual_seed(0)
    one = grid_priors(12, 20, 8)
    three = torch.cat([grid_priors(12, 20, 8), grid_priors(6, 10, 16),
                       grid_priors(3, 5, 32)])
    cases = [
        (dict(), one, [(12, 20)]),
        (dict(center_sampling=True), one, [(12, 20)]),
        (dict(regress_ranges=[(-1, 32), (32, 64), (64, 1e8)],
              center_sampling=True), three, [(12, 20), (6, 10), (3, 5)]),
    ]
    for cfg, priors, sizes in cases:
        assigner = TASK_UTILS.build(dict(type='DontCarePointAssigner', **cfg))
        for _ in range(3):
            gts, ignores = random_batch(gen, 8, 160, 96, 12)
            ref = per_image(assigner, priors, gts, ignores)
            got = assigner.assign_batch(priors, sizes, gts, ignores, method)
            for r, g in zip(ref, got):
                assert torch.equal(r, g), cfg
        empty = [InstanceData(bboxes=torch.zeros(0, 4),
                              labels=torch.zeros(0, dtype=torch.long))] * 2
        ref = per_image(assigner, priors, empty, [None, None])
        got = assigner.assign_batch(priors, sizes, empty, None, method)
        for r, g in zip(ref, got):
            assert torch.equal(r, g), cfg


@pytest.mark.parametrize('method', ['pairs', 'dense'])
def test_batched_assignment_on_real_kitti_frames(repo_root, method):
    """The bundled frames at the thesis' stride 8, don't-care boxes
    (DontCare, Misc) included."""
    import os.path as osp
    from mmengine.registry import init_default_scope
    from mmdet.registry import DATASETS
    init_default_scope('mmdet')
    ds = DATASETS.build(dict(
        type='KittiDataset', data_root=osp.join(repo_root, 'data',
                                                 'kitti_tiny'),
        ann_file='train.txt', data_prefix=dict(img='images', label='labels'),
        pipeline=[dict(type='LoadAnnotations', with_bbox=True)]))
    gts, ignores = [], []
    for i in range(len(ds)):
        inst = ds.get_data_info(i)['instances']
        keep = [x for x in inst if not x['ignore_flag']]
        dc = [x for x in inst if x['ignore_flag']]
        gts.append(InstanceData(
            bboxes=torch.tensor([x['bbox'] for x in keep]).view(-1, 4),
            labels=torch.tensor([x['bbox_label'] for x in keep],
                                dtype=torch.long)))
        ignores.append(InstanceData(
            bboxes=torch.tensor([x['bbox'] for x in dc]).view(-1, 4)))
    assert sum(len(i) for i in ignores) > 0
    priors = grid_priors(47, 156, 8)  # 1248 x 376 covers the frames
    assigner = TASK_UTILS.build(dict(type='DontCarePointAssigner'))
    ref = per_image(assigner, priors, gts, ignores)
    got = assigner.assign_batch(priors, [(47, 156)], gts, ignores, method)
    for r, g in zip(ref, got):
        assert torch.equal(r, g)
    assert (ref[3] >= 0).sum() > 1000 and (~ref[2]).any()
