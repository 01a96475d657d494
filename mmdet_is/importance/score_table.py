"""One importance score per image, with exact O(log N) weighted draws.

Scores live in a float32 array; a sum tree in float64 sits over blocks of
``BLOCK`` scores. A draw descends the tree to a block and finishes with a
cumulative sum inside it; an update sets scores and recomputes the sums of the
touched blocks and their ancestors from their children (no accumulated
drift). Memory: 4 bytes per image for the scores plus at most ``32 / BLOCK``
for the tree (its leaves are padded to a power of two). No cap on N
(``torch.multinomial`` / ``WeightedRandomSampler`` stop at 2**24 categories).
"""
import numpy as np

BLOCK = 64


class ScoreTable:
    """Non-negative scores ``s_i``, ``i < n``, sampled with ``p_i = s_i / S``.

    Args:
        n (int): number of images, >= 1.
        init (float): initial score of every image.

    Raises:
        ValueError: ``n < 1`` or ``init`` negative or not finite.
    """

    def __init__(self, n: int, init: float = 1.0) -> None:
        if n < 1:
            raise ValueError(f'ScoreTable needs n >= 1 images, got {n}')
        if not np.isfinite(init) or init < 0:
            raise ValueError(f'initial score must be finite and >= 0: {init}')
        self.n = n
        self.num_blocks = -(-n // BLOCK)
        self.num_leaves = 1 << max(0, (self.num_blocks - 1).bit_length())
        self.depth = self.num_leaves.bit_length() - 1
        # scores padded to whole blocks only; tree leaves past the last block
        # stay 0
        self.scores = np.zeros(self.num_blocks * BLOCK, np.float32)
        self.scores[:n] = init
        self.tree = np.zeros(2 * self.num_leaves, np.float64)
        self.rebuild()

    def rebuild(self) -> None:
        """Recompute the whole tree from the scores, O(N)."""
        blocks = self.scores.reshape(self.num_blocks, BLOCK)
        self.tree[self.num_leaves:self.num_leaves + self.num_blocks] = \
            blocks.sum(1, dtype=np.float64)
        size = self.num_leaves
        while size > 1:
            half = size // 2
            self.tree[half:size] = (self.tree[size:2 * size:2] +
                                    self.tree[size + 1:2 * size:2])
            size = half

    @property
    def total(self) -> float:
        """``S = sum_i s_i``."""
        return float(self.tree[1])

    def __getitem__(self, idx) -> np.ndarray:
        return self.scores[:self.n][idx]

    def update(self, idx: np.ndarray, values: np.ndarray) -> None:
        """Set ``s[idx] = values`` (the last one wins for repeated indices).

        Args:
            idx: ``(k,)`` int indices in ``[0, n)``; values: ``(k,)`` finite,
                non-negative (the caller filters; see ImportanceSampler).
        """
        idx = np.asarray(idx, np.int64)
        if idx.size == 0:
            return
        self.scores[idx] = values
        if idx.size * BLOCK >= self.scores.size:  # cheaper: O(N) rebuild
            self.rebuild()
            return
        # Repeated blocks or nodes are recomputed to the same value, so no
        # np.unique is needed (it would cost more than the duplicates).
        blocks = idx // BLOCK
        view = self.scores.reshape(self.num_blocks, BLOCK)
        self.tree[self.num_leaves + blocks] = view[blocks].sum(
            1, dtype=np.float64)
        nodes = (blocks + self.num_leaves) // 2
        for _ in range(self.depth):
            self.tree[nodes] = self.tree[2 * nodes] + self.tree[2 * nodes + 1]
            nodes //= 2

    def sample(self, u: np.ndarray) -> np.ndarray:
        """Inverse-CDF lookup: the image ``i`` with ``C_{i-1} <= u < C_i``.

        Args:
            u: ``(k,)`` float64 in ``[0, total)``; ``u = U * total`` with
                ``U ~ U(0, 1)`` gives draws with ``p_i = s_i / S``.

        Returns:
            ``(k,)`` int64 indices of images with positive score.
        """
        u = np.array(u, np.float64)
        node = np.ones(len(u), np.int64)
        for _ in range(self.depth):
            left = self.tree[2 * node]
            # never step into an empty subtree (float rounding at the edge)
            right = (u >= left) & (self.tree[2 * node + 1] > 0)
            u -= left * right
            node = 2 * node + right
        block = node - self.num_leaves
        vals = self.scores.reshape(self.num_blocks, BLOCK)[block]
        cums = np.cumsum(vals, axis=1, dtype=np.float64)
        j = np.minimum((cums <= u[:, None]).sum(1), BLOCK - 1)
        rows = np.arange(len(u))
        # float rounding can land on a zero score at a block's end: step back
        # to the last positive score of the block.
        zero = vals[rows, j] <= 0
        if zero.any():
            last = BLOCK - 1 - np.argmax(vals[zero][:, ::-1] > 0, axis=1)
            j[zero] = last
        return block * BLOCK + j

    def sum_of_squares(self) -> float:
        """``sum_i s_i^2`` in float64, O(N)."""
        s = self.scores[:self.n].astype(np.float64)
        return float(s @ s)
