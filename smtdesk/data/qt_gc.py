"""Cyclic garbage collection on the Qt thread only.

Python runs a cyclic collection in whichever thread happens to allocate past the
threshold. With the analysis on a thread of its own, that may be the analysis thread,
and a collection there can destroy Qt objects (widgets, timers, socket notifiers) that
live on the Qt thread: the Qt event loop then crashes on a dangling object. So automatic
collection is switched off and the same thresholds are checked from a Qt timer.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

_INTERVAL_MS = 100


class _QtThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(_INTERVAL_MS)

    def collect(self) -> None:
        """Collect the oldest generation whose count is over its threshold, as Python
        itself would have."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return


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
