"""Whether the analysis loops are being compiled: numba compiles them on the first start
and keeps them in its cache; later starts load them from there."""

from __future__ import annotations

import sys

from numba.core.registry import CPUDispatcher


def compiled_so_far() -> int:
    """How many times one of smtdesk's compiled loops missed numba's cache in this process
    (each miss is a compilation)."""
    misses = 0
    for name, module in list(sys.modules.items()):
        if name.startswith("smtdesk.core") and module is not None:
            for value in list(vars(module).values()):
                if isinstance(value, CPUDispatcher):
                    misses += sum(value.stats.cache_misses.values())
    return misses
