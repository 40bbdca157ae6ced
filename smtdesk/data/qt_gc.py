"""Cyclic garbage collection on the Qt thread only.

Python runs a cyclic collection in whichever thread happens to allocate past the
threshold. With the analysis on a thread of its own, that may be the analysis thread,
and a collection there can destroy Qt objects (widgets, timers, socket notifiers) that
live on the Qt thread: the Qt event loop then crashes on a dangling object. So automatic
collection is switched off and the same thresholds are checked from a Qt timer.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QCoreApplication, QObject, QTimer

_INTERVAL_MS = 100
_FULL_CHECK_S = 1.0
_WALK_MAX = 10_000
"""Objects new to the oldest generation that make a full collection due at the most: a
walk of more than this holds the window past a frame."""
_BURST = 50_000
"""New objects alive since the last collection that make a batch kept, not collected."""


class _QtThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(_INTERVAL_MS)
        self._long_lived = 0  # objects kept out of collections after the last full one
        self._looked = 0.0

    def collect(self) -> None:
        """Collect the oldest generation whose count is over its threshold, as Python
        itself would have; the oldest only once worthwhile (see :meth:`_full_due`)."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        if counts[0] > _BURST:
            # a history analysed anew (a trim, a re-run): its signals live as long as it
            # does, and walking them would hold the window for a tenth of a second
            gc.freeze()
            return
        if counts[2] > thresholds[2] and self._full_due():
            gc.collect(2)
            # what outlived a full collection lives long (a history's signals): the next
            # one walks only what came after, not a tenth of a second of the same objects.
            # A kept object later dropped in a reference cycle stays: few do, as the
            # analysis's records hold no cycles and a widget is dropped by Qt, not the GC.
            gc.freeze()
            self._long_lived = gc.get_freeze_count()
            return
        for generation in (1, 0):
            if counts[generation] > thresholds[generation] or (generation and counts[2] > thresholds[2]):
                gc.collect(generation)
                return

    def _full_due(self) -> bool:
        """Whether the objects that reached the oldest generation since the last full
        collection are a quarter of those kept then (Python's own rule, which spares a
        long-running window a full collection on every tenth younger one), or enough for
        a walk to be felt. Looked at once a second at most: it counts the generation."""
        now = time.monotonic()
        if now - self._looked < _FULL_CHECK_S:
            return False
        self._looked = now
        return len(gc.get_objects(generation=2)) > min(self._long_lived / 4, _WALK_MAX)


def freeze_long_lived() -> None:
    """Leave every object alive now out of later collections (once; idempotent).

    Called once the first history is analysed: the modules, compiled loops and the exchange
    client live as long as the app, yet a full collection walks all of them, some 80 ms on
    the Qt thread each time. Frozen, a full collection walks only what came after.
    """
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


_frozen = False


def collect_on_qt_thread() -> None:
    """From now on, cyclic garbage is collected on the Qt thread only (idempotent).

    Needs the Qt application to exist; the collector lives as long as it does.
    """
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("collect_on_qt_thread: create the Qt application first")
    if app.findChild(_QtThreadCollector) is None:
        _QtThreadCollector(app)
    gc.disable()
