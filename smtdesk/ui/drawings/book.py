"""The window's drawings: both charts' controllers, the tool bar, the Draw menu, undo steps.

Each finished gesture becomes one step on the window's undo stack holding the chart's
drawings before and after it, keyed by (venue, symbol, timeframe): undone or redone after
the chart moved on to another series, the step still saves that series' drawings.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QPolygonF,
    QUndoCommand,
)
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from smtdesk.core.analysis import PairAnalysis
from smtdesk.core.drawings import (
    ELLIOTT,
    FIB_EXTENSION,
    FIB_RETRACEMENT,
    HLINE,
    RECT,
    TREND,
    Drawing,
)
from smtdesk.ui.drawings.controller import DrawingController, SeriesKey
from smtdesk.ui.drawings.tools import TOOLS
from smtdesk.ui.theme import Palette

ICON_PX = 20


class DrawingEdit(QUndoCommand):
    """One gesture's change to the drawings of one series."""

    def __init__(self, book: DrawingBook, key: SeriesKey, before: tuple[Drawing, ...],
                 after: tuple[Drawing, ...], text: str) -> None:
        super().__init__(text)
        self._book, self._key, self._before, self._after = book, key, before, after

    def redo(self) -> None:
        self._book.apply(self._key, self._after)

    def undo(self) -> None:
        self._book.apply(self._key, self._before)


class DrawingBook(QObject):
    """Owns the drawing controllers of the window's charts and the actions that drive them."""

    save_requested = QtSignal(object, tuple)
    """(series key, every drawing of it) to keep in the user store."""

    def __init__(self, window: QMainWindow, charts, palette: Palette) -> None:
        super().__init__(window)
        self._window = window
        self._undo = window.undo_stack
        self.controllers = [DrawingController(chart, palette=palette) for chart in charts]
        self._active = self.controllers[0]  # the chart last clicked, for "this chart"
        self._palette = palette
        for c in self.controllers:
            c.edited.connect(self._on_edited)
            c.selected.connect(self._on_selected)
            c.placed.connect(lambda: self.set_tool(None))
        self.tool_actions: dict[str | None, QAction] = {}
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self.pointer_action = self._tool_action(None, "&Pointer", "Esc")
        for kind, tool in TOOLS.items():
            self._tool_action(kind, tool.title, tool.shortcut)
        self.pointer_action.setChecked(True)
        self.delete_action = QAction("&Delete drawing", self, shortcut=QKeySequence(QKeySequence.Delete))
        self.delete_action.setShortcutContext(Qt.WindowShortcut)
        self.delete_action.triggered.connect(self.delete_selected)
        self.delete_all_action = QAction("Delete all drawings on this chart", self)
        self.delete_all_action.triggered.connect(lambda: self._active.delete_all())
        window.addAction(self.delete_action)

    def _tool_action(self, kind: str | None, title: str, shortcut: str) -> QAction:
        action = QAction(title, self, checkable=True, shortcut=QKeySequence(shortcut))
        action.setShortcutContext(Qt.WindowShortcut)
        action.setToolTip(f"{title.replace('&', '')} ({shortcut})")
        action.setIcon(_icon(kind, self._palette))
        action.triggered.connect(lambda _=False, kind=kind: self.set_tool(kind))
        self._group.addAction(action)
        self._window.addAction(action)  # its shortcut works with the menu closed and the bar hidden
        self.tool_actions[kind] = action
        return action

    # -- the window's bars ---------------------------------------------------------------------
    def add_to(self, window: QMainWindow) -> None:
        """A tool bar down the charts' left side and a Draw menu."""
        bar = QToolBar("Drawing tools", window)
        bar.setObjectName("drawing_toolbar")
        bar.setMovable(False)
        for action in self.tool_actions.values():
            bar.addAction(action)
        window.addToolBar(Qt.LeftToolBarArea, bar)
        menu = QMenu("&Draw", window)
        menu.addActions(list(self.tool_actions.values()))
        menu.addSeparator()
        menu.addAction(self.delete_action)
        menu.addAction(self.delete_all_action)
        menu.aboutToShow.connect(self._name_active_chart)
        window.menuBar().addMenu(menu)

    def _name_active_chart(self) -> None:
        key = self._active.key
        where = f" ({key[1]} {key[2]})" if key else ""
        self.delete_all_action.setText(f"Delete all drawings on this chart{where}")

    # -- commands ------------------------------------------------------------------------------
    def set_tool(self, kind: str | None) -> None:
        """Draw with ``kind`` on either chart (None: the pointer, which Esc also picks)."""
        self.tool_actions[kind].setChecked(True)
        for c in self.controllers:
            c.set_tool(kind)

    def delete_selected(self) -> None:
        for c in self.controllers:
            if c.delete_selected():
                return

    def show_loaded(self, venue: str, analysis: PairAnalysis) -> None:
        """The drawings read with a newly loaded history. A chart that showed the same series
        keeps what it shows: an edit made while the history loaded was saved after the read."""
        for c, asset in zip(self.controllers, analysis.assets):
            key = (venue, asset.symbol, analysis.timeframe)
            c.show(key, c.drawings if key == c.key else analysis.drawings.get(asset.symbol, ()))

    def apply(self, key: SeriesKey, drawings: tuple[Drawing, ...]) -> None:
        """Make ``drawings`` those of ``key``: shown where a chart shows that series, saved."""
        for c in self.controllers:
            if c.key == key and c.drawings != drawings:
                c.show(key, drawings)
        self.save_requested.emit(key, drawings)

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        for c in self.controllers:
            c.set_palette(palette)
        for kind, action in self.tool_actions.items():
            action.setIcon(_icon(kind, palette))

    def _on_edited(self, key: SeriesKey, before: tuple, after: tuple, text: str) -> None:
        self._active = self.sender()
        self._undo.push(DrawingEdit(self, key, before, after, text))

    def _on_selected(self, controller: DrawingController) -> None:
        self._active = controller
        for c in self.controllers:
            if c is not controller:
                c.select(None)


def _icon(kind: str | None, palette: Palette) -> QIcon:
    """A small picture of what the tool draws, in the theme's text colour."""
    pixmap = QPixmap(ICON_PX, ICON_PX)
    pixmap.fill(Qt.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.Antialiasing)
    colour = QColor(palette.text)
    p.setPen(QPen(colour, 1.4))
    s = ICON_PX
    if kind is None:
        p.setBrush(colour)
        p.drawPolygon(QPolygonF([QPointF(6, 3), QPointF(6, 16), QPointF(9.5, 12.5), QPointF(12, 17.5),
                                 QPointF(14, 16.5), QPointF(11.5, 11.5), QPointF(16, 11.5)]))
    elif kind == HLINE:
        p.drawLine(QPointF(2, s / 2), QPointF(s - 2, s / 2))
        p.drawEllipse(QPointF(s / 2, s / 2), 2, 2)
    elif kind == TREND:
        p.drawLine(QPointF(3, s - 4), QPointF(s - 3, 4))
        p.drawEllipse(QPointF(3, s - 4), 2, 2)
        p.drawEllipse(QPointF(s - 3, 4), 2, 2)
    elif kind == RECT:
        p.drawRect(QRectF(3, 5, s - 6, s - 10))
    elif kind in (FIB_RETRACEMENT, FIB_EXTENSION):
        rows = (3, 8, 12, 17) if kind == FIB_RETRACEMENT else (2, 6, 11, 18)
        for y in rows:
            p.drawLine(QPointF(3, y), QPointF(s - 3, y))
        p.drawText(QRectF(0, 0, s, s), Qt.AlignCenter, "F" if kind == FIB_RETRACEMENT else "X")
    elif kind == ELLIOTT:
        p.drawPolyline(QPolygonF([QPointF(2, 16), QPointF(7, 6), QPointF(11, 12), QPointF(18, 3)]))
        font = p.font()
        font.setPixelSize(8)
        p.setFont(font)
        p.drawText(QRectF(10, 11, 10, 9), Qt.AlignCenter, "5")
    p.end()
    return QIcon(pixmap)
