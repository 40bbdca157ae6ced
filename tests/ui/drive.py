"""Mouse input that pyqtgraph sees as a real drag (QTest moves carry no buttons)."""

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def _send(widget, kind, pos: QPoint, buttons) -> None:
    button = Qt.LeftButton if kind != QEvent.MouseMove else Qt.NoButton
    local = QPointF(pos)
    event = QMouseEvent(kind, local, widget.mapToGlobal(local), button, buttons, Qt.NoModifier)
    QApplication.sendEvent(widget, event)


def drag(widget, start: QPoint, end: QPoint, steps: int = 12, *, pause_ms: int = 0) -> None:
    """Press at ``start``, move to ``end`` in steps ``pause_ms`` apart, release.

    pyqtgraph drops moves closer than 10 ms (its mouse rate limit): a short drag needs
    the pause, or every move past the first may be dropped and the drag read as a click.
    """
    hold_drag(widget, start, end, steps, pause_ms=pause_ms)
    release(widget, end)


def hold_drag(widget, start: QPoint, end: QPoint, steps: int = 12, *, pause_ms: int = 0) -> None:
    """Press at ``start`` and move to ``end`` with the button still held."""
    _send(widget, QEvent.MouseButtonPress, start, Qt.LeftButton)
    for i in range(1, steps + 1):
        p = start + (end - start) * (i / steps)
        _send(widget, QEvent.MouseMove, p, Qt.LeftButton)
        QApplication.processEvents()
        if pause_ms:
            QTest.qWait(pause_ms)


def release(widget, pos: QPoint) -> None:
    """Let go of the button held by :func:`hold_drag`."""
    _send(widget, QEvent.MouseButtonRelease, pos, Qt.NoButton)
    QApplication.processEvents()


def hover(widget, pos: QPoint) -> None:
    """Move the mouse over ``widget`` with no button held."""
    local = QPointF(pos)
    event = QMouseEvent(QEvent.MouseMove, local, widget.mapToGlobal(local), Qt.NoButton, Qt.NoButton, Qt.NoModifier)
    QApplication.sendEvent(widget, event)
    QApplication.processEvents()


def wheel(widget, pos: QPoint, notches: int) -> None:
    """Turn the mouse wheel over ``widget``; positive notches zoom in."""
    local = QPointF(pos)
    event = QWheelEvent(
        local, widget.mapToGlobal(local), QPoint(), QPoint(0, 120 * notches),
        Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False,
    )
    QApplication.sendEvent(widget, event)
    QApplication.processEvents()
