"""The Hook that carries a training step's ingredients to the sampler.

Transport only: it makes the model's dense head publish per-location
ingredients with its loss into a tap
(:func:`~mmdet_is.scoring.attach_ingredients` returns the head's
:class:`~mmdet_is.models.utils.IngredientsTap`, which the hook holds),
hands them to the sampler, which scores them by its own score config,
gathers the scores from all ranks and writes them into every rank's
sampler; before
each step it hands the sampler's loss weights to the head. What trains next
and how images are scored is the sampler's (its ``policy`` and ``score``);
the loss watch, the scores' transport between ranks and the diagnostics have
files of their own beside this one. Ownership and channels:
docs/guide/09_decisions.md.
"""
import logging
from typing import Optional

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop, find_latest_checkpoint
from torch.utils.data import BatchSampler

from mmdet.registry import HOOKS
from ...datasets.samplers import find_importance_sampler
from ...datasets.seed_augmentation import warn_unseeded_augmentation
from ...models.utils.importance_ingredients import (IMPORTANCE_WEIGHT_KEY,
                                                    start_timer, stop_timer)
from ...scoring import attach_ingredients, head_of
from ...utils.unknown_keys import OLD_HOOK_KEYS, refuse_unknown_keys
from .divergence_watch import DivergenceWatch
from .nonfinite_watchdog import NonFiniteWatchdog
from .sampling_diagnostics import SamplingDiagnostics
from .score_transport import DeferredRows, apply_scores, gather_scores

CKPT_KEY = 'importance_sampler'


@HOOKS.register_module()
class ImportanceSamplingHook(Hook):
    """Carry each training step's ingredients to the sampler and its loss
    weights to the head.

    Per step: the head publishes its ingredients (natively or through its
    adapter) into its tap, which the hook holds (``tap``, from
    :func:`~mmdet_is.scoring.attach_ingredients` before training); the
    hook pops them, takes the batch it trained from the sampler's queue
    (``pop_trained``: the indices drawn, also under dataset wrappers and
    prefetching workers), has the sampler score it (``score_batch``),
    gathers ``(index, score, loss finite)`` from every rank and writes them
    into the sampler (``update``); a step whose loss was not finite on some
    rank writes nothing of that rank, and weights that are not finite are
    never saved as a checkpoint nor loaded from one
    (:class:`NonFiniteWatchdog`). When
    the sampler's policy gives loss weights (``weighted``), each data
    sample's metainfo gets its ``importance_weight`` before the step. The
    sampler's state is saved in and restored from checkpoints under
    ``importance_sampler``.

    Args:
        log_interval (int | None): iterations between recomputing the O(N)
            diagnostics; None: the LoggerHook's interval.
        defer_update (bool | None): write each step's scores into the table
            one iteration later, after a non-blocking copy to pinned
            memory, so that the step never waits for the GPU (the draws
            then see scores one step older; prefetching workers already
            make them several steps older). Pending scores are written
            before every checkpoint and at the end of training. None: when
            the scores are on a GPU.
        nonfinite_patience (int): non-finite steps in a row that stop the
            run (:class:`NonFiniteWatchdog`).

    Logged (``train/importance_*``): the sampler's diagnostics (ESS,
    coverage, score quantiles, the policy's numbers), ``nonfinite_steps``,
    and :class:`SamplingDiagnostics`' (exposure by class, time, the
    score's parts).

    Raises:
        TypeError: the train dataloader has no sampler of mmdet_is, or a
            batch sampler that regroups its indices; the model's
            ``bbox_head`` has no ingredients; mmengine's
            ``IterBasedTrainLoop`` when resuming (it replays the data).
        ValueError: the sampler's ``batch_size`` differs from the
            dataloader's; loss weights with a head that does not apply
            them (``applies_importance_weight``); what the sampler raises
            for a bad
            checkpoint or configuration.
        RuntimeError: the head published no ingredients, or the batch
            trained is not the batch drawn; the loss was not finite for
            ``nonfinite_patience`` steps in a row; weights that are not
            finite at a checkpoint, at the end of training, or in the
            checkpoint loaded (the message names the checkpoint to resume
            from, or says to start again).
    """

    priority = 'NORMAL'

    def __init__(self, log_interval: Optional[int] = None,
                 defer_update: Optional[bool] = None,
                 nonfinite_patience: int = 10, **unknown) -> None:
        refuse_unknown_keys('ImportanceSamplingHook', unknown, OLD_HOOK_KEYS)
        self.log_interval = log_interval
        self.defer_update = defer_update
        self.watchdog = NonFiniteWatchdog(nonfinite_patience)
        self.divergence = DivergenceWatch()
        self.tap = None
        self._pending: Optional[DeferredRows] = None
        self._stats = {}

    def before_train(self, runner) -> None:
        head = head_of(runner.model)
        if head is None:
            raise TypeError('ImportanceSamplingHook needs a detector with a '
                            f'bbox_head, got {type(runner.model).__name__}')
        self.tap = attach_ingredients(head)
        self.watchdog.bind(runner)
        loader = runner.train_dataloader
        self.sampler = sampler = find_importance_sampler(loader)
        self._check_loader(loader, runner.train_loop)
        sampler.set_run_length(runner.max_iters)
        if sampler.weighted and not getattr(head, 'applies_importance_weight',
                                            False):
            raise ValueError(
                f'the sampler policy {sampler.policy_cfg} weights the loss of '
                f'each image, but the bbox head {type(head).__name__} does '
                f'not apply the {IMPORTANCE_WEIGHT_KEY!r} metainfo to its '
                'loss (FCOSSoftmaxHead does)')
        # wrappers (ConcatDataset, RepeatDataset, ...) report the inner
        # dataset's sample_idx; a plain dataset's must equal the index drawn
        dataset = loader.dataset
        self._check_sample_idx = not (hasattr(dataset, 'dataset')
                                      or hasattr(dataset, 'datasets'))
        if self.log_interval is None:
            logger_hook = [h for h in runner.hooks
                           if type(h).__name__ == 'LoggerHook']
            self.log_interval = logger_hook[0].interval if logger_hook else 50
        warn_unseeded_augmentation(dataset)
        self.diagnostics = SamplingDiagnostics(dataset)
        self._stats = sampler.diagnostics()
        self._draw_seconds = sampler.draw_seconds
        print_log(f'ImportanceSampler: policy {sampler.policy_cfg}, score '
                  f'{sampler.resolved_score_cfg}; {sampler.num_images} '
                  f'images, {sampler.iters_per_epoch} iterations an epoch',
                  logger='current')

    def _check_loader(self, loader, loop) -> None:
        loader_batch = getattr(loader.batch_sampler, 'batch_size',
                               loader.batch_size)
        if loader_batch != self.sampler.batch_size:
            raise ValueError(
                f'train_dataloader.sampler.batch_size='
                f'{self.sampler.batch_size} but train_dataloader.batch_size='
                f'{loader_batch}; set both alike')
        if type(loader.batch_sampler) is not BatchSampler:
            raise TypeError(
                'the sampler needs its batches in the order drawn, but '
                f'train_dataloader.batch_sampler is '
                f'{type(loader.batch_sampler).__name__}, which regroups them:'
                ' set train_dataloader.batch_sampler=None')
        if type(loop) is IterBasedTrainLoop and loop.iter > 0:
            raise TypeError(
                "train_cfg.type='IterBasedTrainLoop' replays the data of "
                f'{loop.iter} iterations on resume and would draw them again'
                ": set train_cfg.type='ImportanceIterBasedTrainLoop'")

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        if not self.sampler.weighted:
            return
        w = self.sampler.next_to_train()[1]
        for sample, wi in zip(data_batch['data_samples'],
                              self.sampler.rank_slice(w)):
            sample.set_metainfo({IMPORTANCE_WEIGHT_KEY: float(wi)})
        hub = runner.message_hub
        hub.update_scalar('train/importance_weight_mean', float(w.mean()))
        hub.update_scalar('train/importance_weight_max', float(w.max()))

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        ingredients = self.tap.pop()
        if ingredients is None:
            raise RuntimeError(
                'the bbox head published no importance ingredients this '
                'step (was its loss_by_feat replaced after before_train?)')
        sampler = self.sampler
        finite = self.watchdog.loss_finite(runner.message_hub, runner.iter)
        timer = start_timer(ingredients['a'].device)
        idx = sampler.rank_slice(sampler.pop_trained())
        self._check_batch(idx, data_batch['data_samples'])
        terms = sampler.score_batch(ingredients, idx)
        self._flush_pending()
        rows = gather_scores(idx, terms['score'], finite)
        defer = rows.is_cuda if self.defer_update is None \
            else self.defer_update
        if defer and not sampler.at_epoch_end():
            self._pending = DeferredRows(rows, runner.iter)
        else:
            self._apply(rows.cpu(), runner.iter)
        # scoring in the head + this update + the sampler's draws since the
        # last iteration (they run in the dataloader's main-process iterator)
        self.diagnostics.step(idx, terms, [
            dict(seconds=ingredients['seconds'],
                 events=ingredients['events']), stop_timer(timer)
        ], sampler.draw_seconds - self._draw_seconds)
        self._draw_seconds = sampler.draw_seconds
        self._watch_divergence(runner)
        if self.every_n_train_iters(runner, self.log_interval):
            self._stats = sampler.diagnostics()
            self._stats.update(self.diagnostics.stats(
                sampler.epoch_images()))
            self._stats['nonfinite_steps'] = float(self.watchdog.steps)
        for key, value in self._stats.items():
            runner.message_hub.update_scalar(f'train/importance_{key}', value)

    def _apply(self, rows, iteration: int) -> None:
        """Write one step's gathered rows (all ranks hold the same rows, so
        all decide alike)."""
        self.watchdog.step(apply_scores(self.sampler, rows), iteration)
        if self.sampler.batches_drawn > self.sampler.iters_per_epoch:
            # after the first epoch: a fresh model may score all alike
            finite = rows[:, 2] > 0
            self.divergence.scores(iteration, rows[finite, 1].numpy())

    def _watch_divergence(self, runner) -> None:
        """Warn (:class:`DivergenceWatch`) of a loss that outgrew its early
        value, and, once a log interval, of collapsed scores."""
        scalars = runner.message_hub.log_scalars
        said = [self.divergence.loss(
            runner.iter, scalars['train/loss'].current(),
            lambda: max(float(p.detach().abs().max())
                        for p in runner.model.parameters()))
            if 'train/loss' in scalars else None]
        if self.every_n_train_iters(runner, self.log_interval):
            said.append(self.divergence.collapsed(runner.iter))
        for message in filter(None, said):
            print_log(message, logger='current', level=logging.WARNING)

    def _flush_pending(self) -> None:
        """Write the scores of a deferred step into the table."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._apply(pending.wait(), pending.iteration)

    def after_train(self, runner) -> None:
        self._flush_pending()
        summary = self.watchdog.summary()
        if summary:
            print_log(summary, logger='current', level=logging.WARNING)
        self.watchdog.check_weights(runner.model.state_dict(),
                                    'finish training')

    def _check_batch(self, idx, samples) -> None:
        drawn = idx.tolist()
        if len(samples) != len(drawn):
            raise RuntimeError(
                f'the step trained {len(samples)} images but the sampler '
                f'drew {len(drawn)} for it')
        if self._check_sample_idx:
            got = [s.metainfo.get('sample_idx', i)
                   for s, i in zip(samples, drawn)]
            if got != drawn:
                raise RuntimeError(
                    f'the batch trained (sample_idx {got}) is not the batch '
                    f'the sampler drew ({drawn})')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        self._flush_pending()
        self.watchdog.check_weights(
            checkpoint['state_dict'], 'save the checkpoint of iteration '
            f'{checkpoint["meta"]["iter"]}')
        checkpoint[CKPT_KEY] = find_importance_sampler(
            runner.train_dataloader).state_dict()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        resume = getattr(runner, '_resume', False)
        path = runner.cfg.get('load_from') or find_latest_checkpoint(
            runner.work_dir)
        self.watchdog.bind(runner)
        self.watchdog.check_weights(
            checkpoint['state_dict'],
            f'{"resume from" if resume else "load"} {path}', exclude=(path, ))
        if not resume:
            return  # load_from: weights only, the sampler starts afresh
        if CKPT_KEY not in checkpoint:
            runner.logger.info('resumed checkpoint has no importance sampler '
                               'state; the sampler starts afresh')
            return
        sampler = find_importance_sampler(runner.train_dataloader)
        state = checkpoint[CKPT_KEY]
        meta = checkpoint.get('meta', {})
        if not sampler.load_state_dict(state):
            print_log(f'ImportanceSampler: restart_scores=True, so the '
                      f'sampler starts afresh at epoch {meta.get("epoch")}; '
                      f'the scores in {path} are not used', logger='current',
                      level=logging.WARNING)
            return
        digest = (state.get('dataset') or {}).get('sha1', 'none')[:12]
        print_log(f'ImportanceSampler state restored from {path}: epoch '
                  f'{meta.get("epoch")}, iteration {meta.get("iter")}, '
                  f'{state["num_images"]} scores, training set fingerprint '
                  f'{digest}', logger='current')
