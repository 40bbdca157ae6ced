"""Resident memory that stays flat over days of live candles.

glibc hands a large block (a numpy array of a long history) its own memory mapping, but
once such a block is freed it raises that size limit, and later arrays of the history
come from the shared heap instead. A history growing and trimmed candle after candle then
leaves holes the heap never gives back: resident memory creeps up by tens of MB a day. A
fixed limit keeps every large array in a mapping of its own, returned when freed.
"""

from __future__ import annotations

import ctypes
import ctypes.util

_M_MMAP_THRESHOLD = -3  # mallopt's parameter, from glibc's malloc.h
_LARGE_BYTES = 32 * 1024
"""A column of a few thousand bars or more: the arrays a history's analysis makes anew on
every trim come and go in mappings of their own, not in the shared heap's holes (glibc's
own starting limit, 128 KB, left 10,000-bar columns there)."""


def keep_large_blocks_mapped() -> bool:
    """Fix glibc's mmap threshold (idempotent); False where the C library is not glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # macOS, musl: their allocators return large blocks
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _LARGE_BYTES))
