"""Colour palettes for the charts: a dark one (default) and a light one.

Colours are hex strings so the palettes stay plain data; items turn them into pens and
brushes. Candle colours follow the teal-up / red-down convention traders know.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True, slots=True)
class Palette:
    """Every colour a chart needs. ``#rrggbbaa`` carries alpha where it matters."""

    name: str
    background: str
    panel: str
    text: str
    text_muted: str
    axis: str
    grid: str
    crosshair: str
    up: str
    down: str
    volume_up: str
    volume_down: str
    last_price_text: str
    series: tuple[str, ...] = field(default=())
    """Line colours for overlays and indicator lines, in the order they are handed out."""
    band: str = "#2962ff"
    """Bollinger Bands: a hue none of the series uses."""
    level: str = "#787b86"
    label_fill: str = "#1e222de6"
    """Box under chart labels (plan, SMT, MSS): reads over candles and zones."""
    entry: str = "#d1d4dc"
    """The trade plan's entry line and its label text."""
    tag: str = "#4a4e5a"
    """Crosshair tags on the axes: box, and ``tag_text`` on it."""
    tag_text: str = "#ffffff"

    def series_color(self, i: int) -> str:
        return self.series[i % len(self.series)]

    def swing_color(self, kind: str) -> str:
        """Swing markers, automatic and hand-placed alike: ``kind`` is "high" or "low"."""
        return self.series[0] if kind == "high" else self.series[1]


DARK = Palette(
    name="dark",
    background="#131722",
    panel="#1e222d",
    text="#d1d4dc",
    text_muted="#787b86",
    axis="#363a45",
    grid="#2a2e39",
    crosshair="#9598a1",
    up="#26a69a",
    down="#ef5350",
    volume_up="#26a69a66",
    volume_down="#ef535066",
    last_price_text="#ffffff",
    series=("#f7a21b", "#448aff", "#e040fb", "#00bcd4", "#ffeb3b", "#8bc34a", "#ff7043"),
    band="#b39ddb",
    level="#5d606b",
    label_fill="#1e222de6",
    entry="#d1d4dc",
    tag="#4a4e5a",
    tag_text="#ffffff",
)

LIGHT = Palette(
    name="light",
    background="#ffffff",
    panel="#f0f3fa",
    text="#131722",
    text_muted="#6a6d78",
    axis="#b2b5be",
    grid="#eceef2",
    crosshair="#6a6d78",
    up="#089981",
    down="#f23645",
    volume_up="#08998155",
    volume_down="#f2364555",
    last_price_text="#ffffff",
    series=("#e65100", "#1e53e5", "#9c27b0", "#00838f", "#c79100", "#558b2f", "#d84315"),
    band="#8d6e63",
    level="#9598a1",
    label_fill="#ffffffe6",
    entry="#131722",
    tag="#131722",
    tag_text="#ffffff",
)


def pen(color: str, width: float = 1.0, *, style=None) -> "pg.QtGui.QPen":
    """Cosmetic pen (width in pixels, whatever the zoom)."""
    p = pg.mkPen(color, width=width)
    if style is not None:
        p.setStyle(style)
    p.setCosmetic(True)
    return p


def brush(color: str) -> "pg.QtGui.QBrush":
    return pg.mkBrush(color)


def faded(color: str, alpha: int) -> str:
    """``color`` (``#rrggbb``) at ``alpha`` (0-255), as ``#rrggbbaa``."""
    return f"{color[:7]}{alpha:02x}"


def over(color: str, background: str) -> str:
    """``color`` (``#rrggbbaa``) as it looks over ``background``, as an opaque ``#rrggbb``.

    Raster painting fills a translucent area some twenty times slower than an opaque one:
    bars that only ever cover the background are drawn in the colour they blend to.
    """
    front, back = qcolor(color), qcolor(background)
    a = front.alphaF()
    mix = [round(f * a + b * (1 - a)) for f, b in zip(front.getRgb()[:3], back.getRgb()[:3])]
    return "#" + "".join(f"{v:02x}" for v in mix)


def bar_styles(palette: Palette) -> tuple[tuple["pg.QtGui.QPen", "pg.QtGui.QBrush"], ...]:
    """(pen, brush) of up bars and of down bars (volume, a histogram): the palette's
    translucent bar colours as they look over its background."""
    return tuple((pen(c), brush(c)) for c in (over(palette.volume_up, palette.background),
                                              over(palette.volume_down, palette.background)))


def qcolor(color: str) -> pg.QtGui.QColor:
    """A palette colour as a QColor; ``#rrggbbaa`` read as the palettes mean it (Qt's
    own parser takes eight digits as ``#aarrggbb``)."""
    return pg.mkColor(color)


def style_plot(plot: pg.PlotItem, palette: Palette) -> None:
    """Axis, grid and text colours of a pyqtgraph PlotItem."""
    plot.getViewBox().setBackgroundColor(palette.background)
    for name in ("left", "right", "bottom", "top"):
        axis = plot.getAxis(name)
        if hasattr(axis, "set_palette"):
            axis.set_palette(palette)
            continue
        axis.setPen(pen(palette.axis))
        axis.setTextPen(pen(palette.text_muted))
        axis.setTickPen(pen(palette.grid))


def apply_palette(app: QApplication, palette: Palette) -> None:
    """Widgets (docks, menus, lists, tool tips) in the chart's colours."""
    pg.setConfigOptions(background=palette.background, foreground=palette.text, antialias=False)
    app.setStyle("Fusion")
    qt = QPalette()
    for role, colour in (
        (QPalette.Window, palette.panel),
        (QPalette.WindowText, palette.text),
        (QPalette.Base, palette.background),
        (QPalette.AlternateBase, palette.panel),
        (QPalette.Text, palette.text),
        (QPalette.PlaceholderText, palette.text_muted),
        (QPalette.Button, palette.panel),
        (QPalette.ButtonText, palette.text),
        (QPalette.Highlight, palette.series[1]),
        (QPalette.HighlightedText, "#ffffff"),
        (QPalette.ToolTipBase, palette.panel),
        (QPalette.ToolTipText, palette.text),
        (QPalette.Mid, palette.axis),
        (QPalette.Dark, palette.axis),
    ):
        qt.setColor(role, QColor(colour))
    app.setPalette(qt)
