"""The training set as a checkpoint knows it: a resume on other data is
refused, never applied by position (a score never lands on another image).
"""
import hashlib
import os.path as osp
from typing import List, Optional


def dataset_identities(dataset) -> Optional[List[str]]:
    """Each image's identity, ``'<img_id>:<file name>'`` in index order,
    from mmengine's ``get_data_info(i)`` (also through dataset wrappers);
    None for a dataset without it. O(N), once per run."""
    if not hasattr(dataset, 'get_data_info'):
        return None
    out = []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        out.append(f'{info.get("img_id", "")}:'
                   f'{osp.basename(str(info.get("img_path", i)))}')
    return out


def fingerprint(identities: List[str]) -> dict:
    """Its size, a SHA-1 of the image identities in index order and 32 of
    them, evenly spaced (to name one that differs)."""
    n = len(identities)
    picks = sorted({round(k * (n - 1) / 31) for k in range(32)}) if n else []
    return dict(num_images=n,
                sha1=hashlib.sha1('\n'.join(identities).encode()).hexdigest(),
                sample=[[i, identities[i]] for i in picks])


def check_same_dataset(saved: dict, identities: List[str]) -> None:
    """Refuse to resume importance scores on another training set.

    Raises:
        ValueError: the fingerprints differ (the message names an image
            that differs, when the sampled ones show it).
    """
    now = fingerprint(identities)
    if saved['sha1'] == now['sha1']:
        return
    differs = [(i, old, identities[i]) for i, old in saved['sample']
               if i < len(identities) and identities[i] != old]
    where = (f'image {differs[0][0]} was {differs[0][1]!r} and is now '
             f'{differs[0][2]!r}' if differs else
             f'{saved["num_images"]} images then, {len(identities)} now, '
             'or the same sampled images in another order elsewhere')
    raise ValueError(
        'cannot resume the importance scores: the checkpoint was written for '
        f'another training set ({where}); the scores would land on other '
        'images. Resume with the training set of that run, or start the '
        'sampler afresh with load_from=CHECKPOINT (weights only) instead of '
        '--resume.')
