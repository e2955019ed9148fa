"""Bloom-filter (CLK-style) encodings of names, and their Dice similarity, vectorised.

``linkage.pseudonymise`` writes the encodings; ``linkage.resolve`` compares
them.  Both import this module, so neither points at the other.

A name's bigrams (``_s sm mi it th h_`` for ``smith``) each set ``k`` bits of
an ``l``-bit filter, at positions from keyed HMACs (double hashing).  Two
encodings share bits in proportion to the bigrams their names share, so the
Dice coefficient of the bits approximates the names' bigram similarity:
``smith`` and ``smyth`` still look alike, and without the key nobody can build
the filter of a guessed name.

An encoded cell is ``clk1:`` followed by the filter in URL-safe base64.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "BLOOM_PREFIX",
    "BloomEncoder",
    "bigrams",
    "bloom_matrix",
    "dice_pairs",
    "is_bloom_series",
    "is_bloom_value",
]

BLOOM_PREFIX = "clk1:"
#: filter length in bits and bits set per bigram (Schnell et al. use 1000 and 15-30)
DEFAULT_BITS = 1024
DEFAULT_K = 20


def bigrams(name: str) -> list[str]:
    """``smith`` -> ``['_s', 'sm', 'mi', 'it', 'th', 'h_']`` (padded, duplicates kept once)."""
    padded = f"_{name}_"
    seen: dict[str, None] = {}
    for i in range(len(padded) - 1):
        seen.setdefault(padded[i : i + 2], None)
    return list(seen)


@dataclass(frozen=True)
class BloomEncoder:
    """Encode normalised names as keyed Bloom filters (one key per dataset family)."""

    key: bytes = field(repr=False)
    bits: int = DEFAULT_BITS
    k: int = DEFAULT_K
    #: bigram -> its bit positions (a few hundred bigrams cover every name)
    _positions: dict = field(default_factory=dict, repr=False, compare=False)

    def positions(self, gram: str) -> np.ndarray:
        cached = self._positions.get(gram)
        if cached is not None:
            return cached
        data = gram.encode("utf-8")
        h1 = int.from_bytes(hmac.new(self.key, b"1" + data, hashlib.sha256).digest()[:8], "big")
        h2 = int.from_bytes(hmac.new(self.key, b"2" + data, hashlib.sha256).digest()[:8], "big") | 1
        positions = np.array([(h1 + i * h2) % self.bits for i in range(self.k)], dtype=np.int64)
        self._positions[gram] = positions
        return positions

    def encode(self, name: str | None) -> str | None:
        """The ``clk1:`` encoding of a normalised name; ``None`` for no name."""
        if not name:
            return None
        filled = np.zeros(self.bits, dtype=bool)
        for gram in bigrams(name):
            filled[self.positions(gram)] = True
        packed = np.packbits(filled).tobytes()
        return BLOOM_PREFIX + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def is_bloom_value(value: object) -> bool:
    return isinstance(value, str) and value.startswith(BLOOM_PREFIX)


def is_bloom_series(values: pd.Series) -> bool:
    """True when the column holds Bloom encodings: every non-empty cell starts with ``clk1:``."""
    present = values.dropna()
    if present.empty:
        return False
    return bool(present.astype(str).str.startswith(BLOOM_PREFIX).all())


def bloom_matrix(values: np.ndarray) -> np.ndarray:
    """Decode encodings into a (values, bytes) uint8 matrix; a value that is not a filter gives zeros."""
    decoded = []
    width = 0
    for value in values:
        raw = b""
        if is_bloom_value(value):
            text = value[len(BLOOM_PREFIX):]
            try:
                raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            except (ValueError, TypeError):
                raw = b""
        decoded.append(raw)
        width = max(width, len(raw))
    matrix = np.zeros((len(decoded), width), dtype=np.uint8)
    for row, raw in enumerate(decoded):
        if raw:
            matrix[row, : len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    return matrix


def _popcount(matrix: np.ndarray) -> np.ndarray:
    return np.bitwise_count(matrix).sum(axis=1, dtype=np.int64)


def dice_pairs(matrix: np.ndarray, a: np.ndarray, b: np.ndarray, *, chunk: int = 200_000) -> np.ndarray:
    """Dice coefficient 2|A∩B| / (|A|+|B|) of rows ``a[i]`` and ``b[i]`` of ``matrix``, vectorised in chunks."""
    out = np.zeros(len(a), dtype=np.float32)
    if len(a) == 0 or matrix.shape[1] == 0:
        return out
    ones = _popcount(matrix)
    for start in range(0, len(a), chunk):
        ia, ib = a[start : start + chunk], b[start : start + chunk]
        shared = _popcount(matrix[ia] & matrix[ib])
        total = ones[ia] + ones[ib]
        out[start : start + chunk] = np.where(total > 0, 2.0 * shared / np.maximum(total, 1), 0.0)
    return out
