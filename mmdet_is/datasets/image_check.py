"""Name the image that libjpeg or OpenCV reports as damaged.

libjpeg writes its warnings ("Corrupt JPEG data: 2 extraneous bytes before
marker 0xd9", "Premature end of JPEG file") to the C library's stderr,
without the file's name, and decodes what it can: training goes on with a
garbled image and a message nobody can trace. :func:`decode_messages`
captures what the decoder writes while one image decodes;
:class:`CheckedLoadImageFromFile` loads images as mmcv's
``LoadImageFromFile`` does and names every image that made the decoder
speak, once per file and loader process, with its dataset index;
``tools/misc/verify_images.py`` lists them all before training.
"""
import contextlib
import ctypes
import logging
import os
import sys
import tempfile
from typing import Callable, Optional, Tuple

from mmcv.transforms import LoadImageFromFile
from mmengine.logging import print_log

from mmdet.registry import TRANSFORMS

_LIBC = ctypes.CDLL(None)


class _StderrSink:
    """A temporary file of this process that fd 2 is pointed at while a
    decoder runs (one per process: loader workers each open their own)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.file = tempfile.TemporaryFile(mode='w+b')

    @contextlib.contextmanager
    def capture(self):
        """Yields a list that holds, after the block, what was written to
        the C library's stderr inside it (decoded text, stripped)."""
        out = []
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(self.file.fileno(), 2)
        try:
            yield out
        finally:
            _LIBC.fflush(None)  # C's stderr is buffered when not a terminal
            os.dup2(saved, 2)
            os.close(saved)
            self.file.seek(0)
            out.append(self.file.read().decode(errors='replace').strip())
            self.file.seek(0)
            self.file.truncate()


_sink: Optional[_StderrSink] = None


def _process_sink() -> _StderrSink:
    global _sink
    if _sink is None or _sink.pid != os.getpid():  # forked worker: its own
        _sink = _StderrSink()
    return _sink


def decode_messages(decode: Callable[[], object]) -> Tuple[object, str]:
    """Run ``decode()`` with the C library's stderr captured.

    Returns:
        ``(what decode returned, the decoder's messages)``; ``''`` when it
        said nothing.
    """
    with _process_sink().capture() as said:
        result = decode()
    return result, said[0]


@TRANSFORMS.register_module()
class CheckedLoadImageFromFile(LoadImageFromFile):
    """mmcv's ``LoadImageFromFile`` that names a damaged image.

    When the decoder reports damage (libjpeg's "Corrupt JPEG data ...",
    "Premature end of JPEG file"), a warning names the file, its dataset
    index (``sample_idx``) and the decoder's words, and points to
    ``tools/misc/verify_images.py``, which lists every such image of a
    split; each file is named once per loader process. The image is
    loaded as ``LoadImageFromFile`` loads it (training goes on, as it does
    without this transform). Same arguments as ``LoadImageFromFile``;
    what the check costs per image: ``benchmarks/bench_image_check.py``.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.reported = set()

    def transform(self, results: dict) -> Optional[dict]:
        out, said = decode_messages(lambda: super(
            CheckedLoadImageFromFile, self).transform(results))
        path = results['img_path']
        if said and path not in self.reported:
            self.reported.add(path)
            print_log(
                f'image {path} (dataset index {results.get("sample_idx")}) '
                f'did not decode cleanly: {said!r}; it trains as decoded. '
                'List every such image of the split with python3 '
                'tools/misc/verify_images.py CONFIG', logger='current',
                level=logging.WARNING)
        return out
