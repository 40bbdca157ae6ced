"""Application-wide look: a dark palette traders are used to."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

BACKGROUND = "#131722"
PANEL = "#1e222d"
TEXT = "#d1d4dc"


def apply_dark(app: QApplication) -> None:
    pg.setConfigOptions(background=BACKGROUND, foreground=TEXT, antialias=False)
    app.setStyle("Fusion")
    pal = QPalette()
    for role, colour in (
        (QPalette.Window, PANEL),
        (QPalette.WindowText, TEXT),
        (QPalette.Base, BACKGROUND),
        (QPalette.AlternateBase, PANEL),
        (QPalette.Text, TEXT),
        (QPalette.Button, PANEL),
        (QPalette.ButtonText, TEXT),
        (QPalette.Highlight, "#2962ff"),
        (QPalette.HighlightedText, "#ffffff"),
        (QPalette.ToolTipBase, PANEL),
        (QPalette.ToolTipText, TEXT),
    ):
        pal.setColor(role, QColor(colour))
    app.setPalette(pal)
