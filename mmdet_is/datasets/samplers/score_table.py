"""One importance score per image, with exact O(log N) weighted draws.

Scores live in a float32 array; a sum tree in float64 sits over blocks of
``BLOCK`` scores. A draw descends the tree to a block and finishes with a
cumulative sum inside it; an update sets scores and recomputes the sums of the
touched blocks and their ancestors from their children (no accumulated
drift). Memory: 4 bytes per image for the scores plus at most ``68 / BLOCK``
for the tree, its image counts and the block minima (tree leaves are padded
to a power of two). No cap on N (``torch.multinomial`` /
``WeightedRandomSampler`` stop at 2**24 categories).

Draws can also use the weights ``s_i - m`` for a constant ``m`` (RHO's
min-max rescaling, eq. 4.6): a node's weight is its sum minus ``m`` times its
number of images, so negative scores need no O(N) pass.
"""
import numpy as np

BLOCK = 64
#: the largest score magnitude the table holds: float32 keeps it exactly
#: enough, and 1e8 of them sum to 1e38 in the float64 tree
MAX_SCORE = 1e30


class ScoreTable:
    """Scores ``s_i``, ``i < n``, sampled with ``p_i = (s_i - m) / S_m``.

    ``m`` is the ``offset`` of :meth:`sample` (0 by default, where the scores
    must be non-negative; :meth:`min` for RHO) and
    ``S_m = sum_i (s_i - m)``.

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
        # number of real images under each tree node (padding excluded)
        self.counts = np.zeros(2 * self.num_leaves, np.float64)
        self.counts[self.num_leaves:self.num_leaves + self.num_blocks] = \
            np.minimum(BLOCK, n - BLOCK * np.arange(self.num_blocks))
        self._sum_up(self.counts)
        self.block_min = np.zeros(self.num_blocks, np.float32)
        self.rebuild()

    def _sum_up(self, tree: np.ndarray) -> None:
        size = self.num_leaves
        while size > 1:
            half = size // 2
            tree[half:size] = tree[size:2 * size:2] + tree[size + 1:2 * size:2]
            size = half

    def _update_block_min(self, blocks: np.ndarray) -> None:
        view = self.scores.reshape(self.num_blocks, BLOCK)
        self.block_min[blocks] = view[blocks].min(1)
        last = self.num_blocks - 1
        if self.n % BLOCK and (blocks == last).any():  # padding excluded
            self.block_min[last] = self.scores[last * BLOCK:self.n].min()

    def rebuild(self) -> None:
        """Recompute the whole tree from the scores, O(N)."""
        blocks = self.scores.reshape(self.num_blocks, BLOCK)
        self.tree[self.num_leaves:self.num_leaves + self.num_blocks] = \
            blocks.sum(1, dtype=np.float64)
        self._sum_up(self.tree)
        self._update_block_min(np.arange(self.num_blocks))

    @property
    def total(self) -> float:
        """``S = sum_i s_i``."""
        return float(self.tree[1])

    def min(self) -> float:
        """``min_i s_i``, O(N / BLOCK)."""
        return float(self.block_min.min())

    def __getitem__(self, idx) -> np.ndarray:
        return self.scores[:self.n][idx]

    def update(self, idx: np.ndarray, values: np.ndarray) -> None:
        """Set ``s[idx] = values`` (the last one wins for repeated indices).

        Args:
            idx: ``(k,)`` int indices in ``[0, n)``; values: ``(k,)`` finite
                with ``|v| <= MAX_SCORE`` (the caller filters; see
                ImportanceSampler), non-negative unless draws use an offset
                ``<=`` every score.

        Raises:
            ValueError: a value not finite or beyond ``MAX_SCORE`` (it
                would turn the sums into inf or NaN and every draw after).
        """
        idx = np.asarray(idx, np.int64)
        if idx.size == 0:
            return
        values = np.asarray(values)
        bad = ~(np.abs(values) <= MAX_SCORE)  # NaN compares False
        if bad.any():
            raise ValueError(
                f'ScoreTable: scores must be finite and within +-{MAX_SCORE:g}'
                f', got {values[bad][:5].tolist()} for images '
                f'{idx[bad][:5].tolist()}')
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
        self._update_block_min(blocks)
        nodes = (blocks + self.num_leaves) // 2
        for _ in range(self.depth):
            self.tree[nodes] = self.tree[2 * nodes] + self.tree[2 * nodes + 1]
            nodes //= 2

    def sample(self, u: np.ndarray, offset: float = 0.0) -> np.ndarray:
        """Inverse-CDF lookup: the image ``i`` with ``C_{i-1} <= u < C_i``,
        ``C_i = sum_{j <= i} (s_j - offset)``.

        Args:
            u: ``(k,)`` float64 in ``[0, total - offset * n)``;
                ``u = U * (total - offset * n)`` with ``U ~ U(0, 1)`` gives
                draws with ``p_i = (s_i - offset) / S_offset``.
            offset: subtracted from every score; at most :meth:`min`.

        Returns:
            ``(k,)`` int64 indices of images with positive weight.
        """
        u = np.array(u, np.float64)
        node = np.ones(len(u), np.int64)
        for _ in range(self.depth):
            left, right_weight = self.tree[2 * node], self.tree[2 * node + 1]
            if offset:
                left = left - offset * self.counts[2 * node]
                right_weight = (right_weight -
                                offset * self.counts[2 * node + 1])
            # never step into an empty subtree (float rounding at the edge)
            right = (u >= left) & (right_weight > 0)
            u -= left * right
            node = 2 * node + right
        block = node - self.num_leaves
        vals = self.scores.reshape(self.num_blocks, BLOCK)[block]
        if offset:  # padding keeps weight 0
            vals = vals - offset
            vals[block[:, None] * BLOCK + np.arange(BLOCK) >= self.n] = 0
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

    def sum_of_squares(self, offset: float = 0.0) -> float:
        """``sum_i (s_i - offset)^2`` in float64, O(N)."""
        s = self.scores[:self.n].astype(np.float64) - offset
        return float(s @ s)
