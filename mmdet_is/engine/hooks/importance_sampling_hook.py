"""The Hook where the detector and the sampler meet.

It makes the model's dense head publish per-location ingredients with its
loss (:func:`~mmdet_is.scoring.attach_ingredients`: natively or through an
adapter around a stock mmdet head). After each training iteration it turns
that step's ingredients into one score per image with the heuristic and
reduction of its own config (:func:`~mmdet_is.scoring.image_scores`), pairs
them with the indices the :class:`~mmdet_is.datasets.ImportanceSampler` drew
for that step (its queue of batches in flight, so a score lands on the index
drawn also under dataset wrappers and prefetching workers), gathers them from
all ranks and updates the sampler. It saves and restores the sampler in
checkpoints (with a fingerprint of the training set: a resume on other data
is refused, never applied by position) and logs the sampler's diagnostics.
With an irreducible-loss file it scores by RHO (thesis 4.2.6):
``L_train - L_ho``.
"""
import hashlib
import logging
import os.path as osp
from typing import List, Optional

import numpy as np
import torch
from mmengine.dist import all_gather, get_world_size
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop
from torch.utils.data import BatchSampler

from mmdet.registry import HOOKS
from ...datasets.samplers import (ImportanceSampler, SelectionSampler,
                                  anneal_lambda, importance_weights)
from ...scoring import (attach_ingredients, check_score_cfg, head_of,
                        image_scores, load_irreducible_losses,
                        pop_ingredients, rho_scores)
from ...scoring.ingredients import elapsed_seconds, start_timer, stop_timer

CKPT_KEY = 'importance_sampler'
DATASET_KEY = 'importance_dataset'


def find_importance_sampler(dataloader) -> ImportanceSampler:
    """The ImportanceSampler of a DataLoader, also under a batch sampler
    wrapper such as mmdet's ``AspectRatioBatchSampler``.

    Raises:
        TypeError: the dataloader does not use an ImportanceSampler.
    """
    for sampler in (getattr(dataloader, 'sampler', None),
                    getattr(getattr(dataloader, 'batch_sampler', None),
                            'sampler', None)):
        if isinstance(sampler, ImportanceSampler):
            return sampler
    raise TypeError(
        'ImportanceSamplingHook needs train_dataloader.sampler = '
        "dict(type='ImportanceSampler', batch_size=...), got "
        f'{type(getattr(dataloader, "sampler", None)).__name__}')


def gather_scores(indices, scores: torch.Tensor,
                  loss_finite: bool = True) -> torch.Tensor:
    """``(index, score, loss finite)`` rows of this step from every rank, in
    rank order.

    Args:
        indices: ``(B,)`` dataset indices of this rank's images.
        scores: ``(B,)`` their scores (any device).
        loss_finite: whether this rank's loss of the step was finite (1.0 /
            0.0 in the third column of its rows), so that every rank sees
            every rank's answer without another collective.

    Returns:
        ``(world_size * B, 3)`` float64 on the scores' device (nothing
        waits for the GPU).
    """
    local = torch.stack([
        torch.as_tensor(np.asarray(indices), dtype=torch.float64,
                        device=scores.device),
        scores.detach().double(),
        torch.full_like(scores, float(loss_finite), dtype=torch.float64)
    ], 1)
    if get_world_size() > 1:
        local = torch.cat(all_gather(local))
    return local


def apply_scores(sampler: ImportanceSampler, rows: torch.Tensor) -> bool:
    """Write :func:`gather_scores` rows (on the CPU) into the table; rows of
    a rank whose loss was not finite are left out.

    Returns:
        bool: whether every rank's loss of the step was finite.
    """
    rows = rows.numpy()
    finite = rows[:, 2] > 0
    sampler.update(rows[finite, 0].astype(np.int64), rows[finite, 1])
    return bool(finite.all())


def update_from_all_ranks(sampler: ImportanceSampler, indices,
                          scores: torch.Tensor) -> None:
    """Gather ``(index, score)`` of this step from every rank and apply them
    all to this rank's table now, so that every rank holds the same scores
    (waits for the GPU).

    Args:
        indices: ``(B,)`` dataset indices of this rank's images.
        scores: ``(B,)`` their scores (any device).
    """
    apply_scores(sampler, gather_scores(indices, scores).cpu())


def scan_dataset(dataset):
    """What the hook needs to know of every training image, in one pass.

    Reads ``get_data_info(i)`` (mmengine's BaseDataset, also through
    dataset wrappers): which classes each image holds (``instances``,
    ignored ones left out) for the exposure diagnostics, and each image's
    identity (``img_id`` and the file name of ``img_path``) for the
    checkpoint's fingerprint of the training set.

    Returns:
        ``(classes, share, identities)``: ``(N, C)`` bool array and ``(C,)``
        share of images holding each class (``None, ()`` without mmdet
        instances); a list of N strings (``None`` without
        ``get_data_info``).
    """
    if not hasattr(dataset, 'get_data_info'):
        return None, (), None
    names = dataset.metainfo.get('classes') if hasattr(
        dataset, 'metainfo') else None
    classes = np.zeros((len(dataset), len(names or ())), bool)
    identities = []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        identities.append(f'{info.get("img_id", "")}:'
                          f'{osp.basename(str(info.get("img_path", i)))}')
        if names:
            for inst in info.get('instances', []):
                if not inst.get('ignore_flag', 0):
                    classes[i, inst['bbox_label']] = True
    if not names:
        return None, (), identities
    return classes, classes.mean(0), identities


def fingerprint(identities: List[str]) -> dict:
    """The training set as a checkpoint keeps it: its size, a SHA-1 of the
    image identities in index order and 32 of them, evenly spaced (to name
    one that differs)."""
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


def warn_unseeded_augmentation(dataset) -> bool:
    """Warn (and return True) when the training pipeline has a random
    transform (``Random*``, ``Mosaic``, ``MixUp``, ...) with no
    ``SeedAugmentation`` before it: a resumed run would augment otherwise
    than the uninterrupted one."""
    transforms = getattr(getattr(dataset, 'pipeline', None), 'transforms',
                         [])
    names = [type(t).__name__ for t in transforms]
    for name in names:
        if name == 'SeedAugmentation':
            return False
        if name.startswith('Random') or name in ('Mosaic', 'MixUp',
                                                 'YOLOXHSVRandomAug'):
            print_log(
                f'the training pipeline draws random augmentation ({name}) '
                'with no SeedAugmentation before it: a resumed run will not '
                'augment as the uninterrupted one did. Add '
                "dict(type='SeedAugmentation') before it for an exact "
                'resume.', logger='current', level=logging.WARNING)
            return True
    return False


@HOOKS.register_module()
class ImportanceSamplingHook(Hook):
    """Turn each training step's per-location ingredients into importance
    scores of the images drawn.

    With a :class:`~mmdet_is.datasets.SelectionSampler` the same scores
    feed its selection rule; the hook tells it the number of epochs (for
    its ``final_fraction``) and hands the rule's loss weights (InfoBatch)
    to the head as ``importance_weight``.

    Args:
        heuristic (str): ``lis``, ``error``, ``uis`` (as printed, eq. 4.5),
            ``closeness`` (:mod:`mmdet_is.scoring.heuristics`) or
            ``min_pr``, the detection-quality score ``1 - min(P, R)``
            (:mod:`mmdet_is.scoring.detection_quality`). Default
            ``closeness``, the best recipe of the time-to-accuracy studies
            (README); UIS was the slowest measured.
        reduction (str): ``masked_mean`` or an object-wise reduction
            (thesis 4.2.4): ``mean``, ``sum``, ``max``,
            ``area_weighted_mean``, ``rms`` (not used by ``min_pr``).
        ignore_regression (bool): the -IR variants (thesis 4.3).
        log_interval (int | None): iterations between recomputing the O(N)
            diagnostics (ESS, coverage, score quantiles); ``None``: the
            LoggerHook's interval.
        irreducible_loss (str | None): RHO: the file of
            ``tools/rho/irreducible_loss.py``; each image's score becomes
            ``L_train - L_ho`` (the sampler needs ``rescale='minmax'``).
        unbiased (dict | None): loss weights ``1 / (N q_i)`` for each image
            trained, ``q_i`` the probability it was drawn with
            (:func:`~mmdet_is.datasets.samplers.unbiased.importance_weights`;
            keys ``max_weight``, default 10, and ``normalize``, default
            True). They reach the head as ``importance_weight`` in each data
            sample's metainfo, before the step.
        anneal (dict | None): ``dict(begin=0.85, end=0.85)``: draw from
            ``q = (1 - lam) p + lam / N`` with ``lam`` from
            :func:`~mmdet_is.datasets.samplers.unbiased.anneal_lambda` of the
            fraction of training done.
        defer_update (bool | None): write each step's scores into the table
            one iteration later, after a non-blocking copy to pinned memory,
            so that the step never waits for the GPU; the draws then see
            scores one step older (prefetching loader workers already make
            them several steps older). Pending scores are written before
            every checkpoint and at the end of training. ``None``: when the
            scores are on a GPU.
        nonfinite_patience (int): a step whose loss is not finite writes no
            score (its ingredients come from a broken forward pass); after
            this many such steps in a row training stops with the
            iteration and the last finite losses. The default, 10, lets a
            mixed-precision run skip an overflowing step and stops a run
            whose weights have become NaN within 10 iterations.

    Logged (``train/importance_*``, text log and every vis backend):
    ``ess_fraction`` (effective sample size ``(sum p)^2 / sum p^2`` over N),
    ``coverage`` (fraction of images drawn at least once), ``score_q*``
    (score quantiles), ``rejected_updates`` (non-finite scores kept out of
    the table), ``nonfinite_steps`` (steps whose loss was not finite on
    some rank, which wrote no score), ``time_ms`` (ingredients + scoring +
    update + draws per iteration) and the batch means of the score's parts
    (``cls`` and ``reg``; ``precision`` and ``recall`` for ``min_pr``).
    With a SelectionSampler also its plan's counts
    (:meth:`~mmdet_is.datasets.SelectionSampler.diagnostics`: images per
    tier, due revisits, InfoBatch's ``r``, the age of the scores in epochs)
    and ``epoch_images_<class>``, the images of the current epoch holding
    each class.

    Raises:
        KeyError: unknown ``heuristic`` or ``reduction`` (at build).
        TypeError: the train dataloader has no ImportanceSampler; the model's
            ``bbox_head`` has no ingredients (no adapter, see
            :func:`~mmdet_is.scoring.find_adapter`).
        ValueError: the sampler's ``batch_size`` differs from the
            dataloader's; RHO without ``rescale='minmax'``, or training
            images missing from the irreducible-loss file (see
            :func:`~mmdet_is.scoring.rho.load_irreducible_losses`).
        ValueError: ``unbiased`` with ``mode='rejection'`` (Algorithm 5's
            draws have no closed-form probability); ``unbiased`` or a
            weighted selection rule with a head that does not apply
            ``importance_weight``; a bad ``anneal``; ``unbiased`` or
            ``anneal`` with a SelectionSampler (its rule sets the weights,
            its ``final_fraction`` the return to uniform); ``--resume``
            from a checkpoint written for another training set
            (:func:`check_same_dataset`).
        TypeError: a batch sampler that regroups the sampler's indices
            (``train_dataloader.batch_sampler``, e.g. mmdet's
            ``AspectRatioBatchSampler``); mmengine's ``IterBasedTrainLoop``
            when resuming (it replays the data; use
            ``ImportanceIterBasedTrainLoop``).
        RuntimeError: the head published no ingredients, or the batch
            trained is not the batch drawn (its size, or on an unwrapped
            dataset its ``sample_idx``, differs); the loss was not finite
            for ``nonfinite_patience`` steps in a row.
    """

    priority = 'NORMAL'

    def __init__(self, heuristic: str = 'closeness', reduction: str = 'mean',
                 ignore_regression: bool = False,
                 log_interval: Optional[int] = None,
                 irreducible_loss: Optional[str] = None,
                 unbiased: Optional[dict] = None,
                 anneal: Optional[dict] = None,
                 defer_update: Optional[bool] = None,
                 nonfinite_patience: int = 10) -> None:
        check_score_cfg(heuristic, reduction)
        self.score_cfg = dict(heuristic=heuristic, reduction=reduction,
                              ignore_regression=ignore_regression)
        self.log_interval = log_interval
        self.irreducible_loss = irreducible_loss
        self.unbiased = None if unbiased is None else dict(unbiased)
        self.anneal = None if anneal is None else dict(anneal)
        if self.anneal is not None:
            anneal_lambda(0.0, **self.anneal)  # bad keys or values: now
        if self.unbiased is not None:
            importance_weights(np.ones(1), 1, **self.unbiased)
        self.defer_update = defer_update
        if nonfinite_patience < 1:
            raise ValueError(f'nonfinite_patience must be >= 1, got '
                             f'{nonfinite_patience}')
        self.nonfinite_patience = nonfinite_patience
        self._nonfinite_run = 0
        self._nonfinite_steps = 0  # logged as importance_nonfinite_steps
        self._scanned = False
        self._last_finite = None
        self._pending = None
        self._clipped = 0
        self._irreducible: Optional[torch.Tensor] = None
        self._stats = {}
        self._draw_seconds = 0.0

    def before_train(self, runner) -> None:
        head = head_of(runner.model)
        if head is None:
            raise TypeError('ImportanceSamplingHook needs a detector with a '
                            f'bbox_head, got {type(runner.model).__name__}')
        attach_ingredients(head)
        loader = runner.train_dataloader
        self.sampler = find_importance_sampler(loader)
        loader_batch = getattr(loader.batch_sampler, 'batch_size',
                               loader.batch_size)
        if loader_batch != self.sampler.batch_size:
            raise ValueError(
                f'ImportanceSampler batch_size={self.sampler.batch_size} but '
                f'train_dataloader.batch_size={loader_batch}; set both alike')
        if type(loader.batch_sampler) is not BatchSampler:
            raise TypeError(
                'ImportanceSampler needs its batches in the order drawn, but '
                f'train_dataloader.batch_sampler is '
                f'{type(loader.batch_sampler).__name__}, which regroups them:'
                ' set train_dataloader.batch_sampler=None')
        loop = runner.train_loop
        if type(loop) is IterBasedTrainLoop and loop.iter > 0:
            raise TypeError(
                "train_cfg.type='IterBasedTrainLoop' replays the data of "
                f'{loop.iter} iterations on resume and would draw them again'
                ": set train_cfg.type='ImportanceIterBasedTrainLoop'")
        # wrappers (ConcatDataset, RepeatDataset, ...) report the inner
        # dataset's sample_idx; a plain dataset's must equal the index drawn
        dataset = loader.dataset
        self._check_sample_idx = not (hasattr(dataset, 'dataset')
                                      or hasattr(dataset, 'datasets'))
        if self.log_interval is None:
            logger_hook = [h for h in runner.hooks
                           if type(h).__name__ == 'LoggerHook']
            self.log_interval = logger_hook[0].interval if logger_hook else 50
        if self.irreducible_loss is not None:
            self._load_irreducible(runner)
        if isinstance(self.sampler, SelectionSampler):
            self._setup_selection(runner)
        if self.unbiased is not None:
            self._check_unbiased(runner)
        if self.weighted:
            self._check_head_applies_weights(runner)
        self._scan(dataset)
        self._plan_logged, self._plan_counts = None, {}
        warn_unseeded_augmentation(dataset)
        self._exposure = np.zeros(len(self._class_share))
        self._exposure_images = 0
        self._stats = self.sampler.diagnostics()
        self._interval = self._empty_interval()
        self._draw_seconds = self.sampler.draw_seconds

    def _scan(self, dataset) -> None:
        """:func:`scan_dataset` once per run (before_train or a resume)."""
        if not self._scanned:
            self._classes, self._class_share, self._identities = \
                scan_dataset(dataset)
            self._scanned = True

    def _load_irreducible(self, runner) -> None:
        if self.sampler.rescale != 'minmax':
            raise ValueError(
                'RHO scores (ImportanceSamplingHook irreducible_loss) can be '
                "negative: set train_dataloader.sampler.rescale='minmax' "
                '(eq. 4.6)')
        dataset = self.sampler.dataset
        img_ids = [dataset.get_data_info(i)['img_id']
                   for i in range(len(dataset))]
        self._irreducible = torch.from_numpy(load_irreducible_losses(
            self.irreducible_loss, img_ids, self.score_cfg))
        print_log(f'RHO: irreducible losses of {len(img_ids)} images from '
                  f'{self.irreducible_loss}', logger='current')

    @property
    def weighted(self) -> bool:
        """True when each step's images get loss weights: unbiased
        importance sampling, or a selection rule with weights."""
        return self.unbiased is not None or self.sampler.weights_loss

    def _setup_selection(self, runner) -> None:
        for key in ('unbiased', 'anneal'):
            if getattr(self, key) is not None:
                raise ValueError(
                    f'ImportanceSamplingHook {key}= does not apply to a '
                    'SelectionSampler: its rule sets the loss weights and '
                    'its final_fraction the return to uniform sampling; '
                    f'remove {key} from the hook')
        loop = runner.train_loop
        if hasattr(loop, 'max_epochs') and \
                not isinstance(loop, IterBasedTrainLoop):
            epochs = loop.max_epochs
        else:
            epochs = -(-loop.max_iters // self.sampler.iters_per_epoch)
        self.sampler.set_max_epochs(epochs)

    def _check_unbiased(self, runner) -> None:
        if self.sampler.mode == 'rejection':
            raise ValueError(
                'ImportanceSamplingHook unbiased: Algorithm 5 '
                "(train_dataloader.sampler.mode='rejection') draws with no "
                "closed-form probability; use mode='multinomial'")

    def _check_head_applies_weights(self, runner) -> None:
        head = head_of(runner.model)
        if not getattr(head, 'applies_importance_weight', False):
            what = ('ImportanceSamplingHook unbiased'
                    if self.unbiased is not None else
                    f'the selection rule {self.sampler.rule_cfg["type"]!r}')
            raise ValueError(
                f'{what} weights the loss of each image, but the bbox head '
                f'{type(head).__name__} does not apply importance_weight '
                'to its loss (FCOSSoftmaxHead does)')

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        if self.anneal is not None:
            self.sampler.uniform_mix = anneal_lambda(
                runner.iter / max(runner.max_iters, 1), **self.anneal)
        if not self.weighted:
            return
        _, q = self.sampler.next_to_train()
        w, clipped = self.sampler.loss_weights(q, **(self.unbiased or {}))
        self._clipped += clipped
        for sample, wi in zip(data_batch['data_samples'],
                              self.sampler.rank_slice(w)):
            sample.set_metainfo(dict(importance_weight=float(wi)))
        hub = runner.message_hub
        hub.update_scalar('train/importance_weight_mean', float(w.mean()))
        hub.update_scalar('train/importance_weight_max', float(w.max()))
        hub.update_scalar('train/importance_clipped', float(self._clipped))

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        ingredients = pop_ingredients()
        if ingredients is None:
            raise RuntimeError(
                'the bbox head published no importance ingredients this '
                'step (was its loss_by_feat replaced after before_train?)')
        loss_finite = self._note_loss(runner)
        timer = start_timer(ingredients['a'].device)
        terms = image_scores(ingredients, **self.score_cfg)
        idx = self.sampler.rank_slice(self.sampler.pop_trained())
        self._check_batch(idx, data_batch['data_samples'])
        scores = terms['score']
        if self._irreducible is not None:
            scores = rho_scores(scores, self._irreducible[idx])
        self._flush_pending()
        rows = gather_scores(idx, scores, loss_finite)
        defer = self.defer_update
        if defer is None:
            defer = rows.is_cuda
        if defer and not self._epoch_fully_trained():
            self._pending = (*self._copy_to_host(rows), runner.iter)
        else:
            self._apply(rows.cpu(), runner.iter)

        if self._classes is not None:
            self._exposure += self._classes[idx].sum(0)
            self._exposure_images += len(idx)
        # scoring in the head + this update + the sampler's draws since the
        # last iteration (they run in the dataloader's main-process iterator)
        acc = self._interval
        acc['seconds'] += self.sampler.draw_seconds - self._draw_seconds
        self._draw_seconds = self.sampler.draw_seconds
        # read at the end of the logging interval (CUDA events: no wait now)
        acc['timings'] += [dict(seconds=ingredients['seconds'],
                                events=ingredients['events']),
                           stop_timer(timer)]
        for key, value in terms.items():
            if key != 'score':
                acc['parts'].setdefault(key, []).append(value.mean())
        if self.every_n_train_iters(runner, self.log_interval):
            self._stats = self.sampler.diagnostics()
            self._stats.update(self._exposure_stats())
            self._stats.update(self._plan_class_counts())
            self._stats.update(self._interval_means())
            self._stats['nonfinite_steps'] = float(self._nonfinite_steps)
        hub = runner.message_hub
        for key, value in self._stats.items():
            hub.update_scalar(f'train/importance_{key}', value)

    def _note_loss(self, runner) -> bool:
        """Whether this rank's loss of the step is finite, read from the
        value mmengine's RuntimeInfoHook has already put in the message hub
        (no wait for the GPU); the losses of a finite step are kept for the
        message of :meth:`_apply`."""
        hub = runner.message_hub
        loss = hub.get_scalar('train/loss').current() if \
            'train/loss' in hub.log_scalars else 0.0
        if not np.isfinite(loss):
            return False
        self._last_finite = (runner.iter, {
            k[len('train/'):]: v.current()
            for k, v in hub.log_scalars.items()
            if k.startswith('train/loss')})
        return True

    def _apply(self, rows: torch.Tensor, iteration: int) -> None:
        """Write one step's gathered rows into the table (all ranks hold the
        same rows, so all decide alike); a step in which some rank's loss
        was not finite writes nothing of that rank, and after
        ``nonfinite_patience`` such steps in a row the run stops."""
        if apply_scores(self.sampler, rows):
            self._nonfinite_run = 0
            return
        self._nonfinite_run += 1
        self._nonfinite_steps += 1
        if self._nonfinite_run < self.nonfinite_patience:
            return

        def values(losses):
            return ', '.join(f'{k}={v:.4g}' for k, v in losses.items())

        last = ('no finite loss yet' if self._last_finite is None else
                f'the last finite one at iteration '
                f'{self._last_finite[0] + 1}: {values(self._last_finite[1])}')
        raise RuntimeError(
            f'the loss has not been finite for {self._nonfinite_run} '
            f'iterations (up to iteration {iteration + 1}); {last}. No score '
            'of these steps entered the importance table. Lower the '
            'learning rate (optim_wrapper.optimizer.lr) or clip gradients '
            '(optim_wrapper.clip_grad), then resume from the last checkpoint '
            'saved before it.')

    @staticmethod
    def _copy_to_host(rows: torch.Tensor) -> tuple:
        """Start copying ``rows`` to (pinned) host memory: (host, event)."""
        if not rows.is_cuda:
            return rows.clone(), None
        host = torch.empty(rows.shape, dtype=rows.dtype, pin_memory=True)
        host.copy_(rows, non_blocking=True)
        event = torch.cuda.Event()
        event.record()
        return host, event

    def _flush_pending(self) -> None:
        """Write the scores of a deferred step into the table."""
        if self._pending is None:
            return
        host, event, iteration = self._pending
        self._pending = None
        if event is not None:
            event.synchronize()
        self._apply(host, iteration)

    def after_train(self, runner) -> None:
        self._flush_pending()

    def _interval_means(self) -> dict:
        """Per-iteration means over the logging interval of the importance
        time and the batch means of the two parts, read from the GPU here,
        once per interval."""
        acc = self._interval
        seconds = acc['seconds'] + sum(
            elapsed_seconds(t) for t in acc['timings'])
        n = max(len(acc['timings']) // 2, 1)
        stats = dict(time_ms=1e3 * seconds / n)
        for key, values in acc['parts'].items():
            stats[key] = float(torch.stack(values).float().mean())
        self._interval = self._empty_interval()
        return stats

    @staticmethod
    def _empty_interval() -> dict:
        return dict(seconds=0.0, timings=[], parts={})

    def _epoch_fully_trained(self) -> bool:
        """True after the last step of a sampler epoch: the next epoch's
        plan (a SelectionSampler's) reads every score of this one."""
        s = self.sampler
        return not s._in_flight and s.batches_yielded % s.iters_per_epoch == 0

    def _plan_class_counts(self) -> dict:
        """``epoch_images_<class>``: images of the SelectionSampler's
        current epoch holding each class (counted once per epoch)."""
        s = self.sampler
        if self._classes is None or not isinstance(s, SelectionSampler):
            return {}
        if self._plan_logged != s.plan_epoch and s._plan is not None:
            planned = s._plan[:min(s.epoch_size, s.num_images)]
            counts = self._classes[planned].sum(0)
            names = s.dataset.metainfo.get('classes', ())
            self._plan_counts = {
                f'epoch_images_{names[c] if c < len(names) else c}':
                float(v) for c, v in enumerate(counts)}
            self._plan_logged = s.plan_epoch
        return self._plan_counts

    def _exposure_stats(self) -> dict:
        if self._classes is None or not self._exposure_images:
            return {}
        share = self._exposure / self._exposure_images
        names = self.sampler.dataset.metainfo.get('classes', ())
        stats = {}
        for c, (s, base) in enumerate(zip(share, self._class_share)):
            if base > 0:
                name = names[c] if c < len(names) else str(c)
                stats[f'exposure_{name}'] = float(s / base)
        self._exposure[:] = 0
        self._exposure_images = 0
        return stats

    def _check_batch(self, idx: np.ndarray, samples) -> None:
        drawn = idx.tolist()
        if len(samples) != len(drawn):
            raise RuntimeError(
                f'the step trained {len(samples)} images but the '
                f'ImportanceSampler drew {len(drawn)} for it')
        if self._check_sample_idx:
            got = [s.metainfo.get('sample_idx', i)
                   for s, i in zip(samples, drawn)]
            if got != drawn:
                raise RuntimeError(
                    f'the batch trained (sample_idx {got}) is not the batch '
                    f'the ImportanceSampler drew ({drawn})')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        self._flush_pending()
        checkpoint[CKPT_KEY] = find_importance_sampler(
            runner.train_dataloader).state_dict()
        if self._identities is not None:
            checkpoint[DATASET_KEY] = fingerprint(self._identities)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not getattr(runner, '_resume', False):
            return  # load_from: weights only, the sampler starts afresh
        if CKPT_KEY not in checkpoint:
            print_log('resumed checkpoint has no importance sampler state; '
                      'the sampler starts afresh', logger='current')
            return
        if DATASET_KEY in checkpoint:
            self._scan(runner.train_dataloader.dataset)
            if self._identities is not None:
                check_same_dataset(checkpoint[DATASET_KEY], self._identities)
        find_importance_sampler(runner.train_dataloader).load_state_dict(
            checkpoint[CKPT_KEY])
