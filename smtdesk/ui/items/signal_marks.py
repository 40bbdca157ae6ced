"""Regular divergences and failure swings drawn from their own levels (domain §6b, §6c).

A divergence is a line between its two price swings on the price pane and a line
between its two indicator values on that indicator's pane; a failure swing is the path
peak, failure point, rally high, break on the RSI pane. Each is labelled with its kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise

import numpy as np

from smtdesk.core.signals.indicators import DIVERGENCE_OF as _LINE_OF
from smtdesk.core.signal import Direction, Signal
from smtdesk.ui.items._annotations import AnnotationItem, Shapes, Style
from smtdesk.ui.theme import DARK, Palette, pen

PRICE = "price"
FAILURE_SWING = "rsi_failure_swing"
_FAILURE_PATH = ("rsi.peak", "rsi.failure", "rsi.rally", "rsi")


def is_drawn(sig: Signal) -> bool:
    """A signal this module can draw: a regular divergence or a failure swing."""
    return is_drawn_kind(sig.kind)


@lru_cache(maxsize=256)
def is_drawn_kind(kind: str) -> bool:
    return kind == FAILURE_SWING or (kind.endswith("_divergence") and kind.removesuffix("_divergence") in _LINE_OF)


def label(sig: Signal) -> str:
    if sig.kind == FAILURE_SWING:
        return "RSI failure swing"
    return f"{sig.kind.removesuffix('_divergence').upper()} divergence"


def joint_label(sigs: list[Signal]) -> str:
    """One label for signals drawn on the same path."""
    if len(sigs) == 1:
        return label(sigs[0])
    names = dict.fromkeys(s.kind.removesuffix("_divergence").upper() for s in sigs)
    return " · ".join(names) + " divergence"


def path_on(sig: Signal, pane: str) -> list[tuple[float, float]]:
    """The (x seconds, y) points ``sig`` draws on ``pane`` ("price" or a panel key)."""
    if sig.kind == FAILURE_SWING:
        names = _FAILURE_PATH if pane == "rsi" else ()
    elif not is_drawn(sig):
        names = ()
    elif pane == PRICE:
        names = ("price.prior", "price")
    else:
        kind = sig.kind.removesuffix("_divergence")
        line = _LINE_OF[kind]
        names = (f"{line}.prior", line) if pane == kind else ()
    if not all(n in sig.levels and n in sig.level_times for n in names):
        return []
    return [(sig.level_times[n] / 1000.0, float(sig.levels[n])) for n in names]


class SignalMarkItem(AnnotationItem):
    """The marks of some signals on one pane (``pane`` is "price" or a panel key)."""

    def __init__(self, pane: str, *, palette: Palette = DARK) -> None:
        super().__init__()
        self.pane = pane
        self._palette = palette
        self._signals: tuple[Signal, ...] = ()
        self.setZValue(5)  # over candles and indicator lines

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        self.set_signals(self._signals)

    def set_signals(self, signals: Iterable[Signal]) -> None:
        self._signals = tuple(signals)
        # Divergences of several indicators at the same two swings share one price line,
        # labelled once with every indicator ("RSI · KDJ divergence").
        paths: dict[tuple, list[str]] = {}
        for sig in self._signals:
            points = path_on(sig, self.pane)
            if points:
                style = 0 if sig.direction is Direction.BULLISH else 1
                paths.setdefault((tuple(points), style), []).append(sig)
        cols: list[list[float]] = [[], [], [], [], []]
        labels = []
        for (points, style), sigs in paths.items():
            for (x0, y0), (x1, y1) in pairwise(points):
                for col, v in zip(cols, (x0, y0, x1, y1, style)):
                    col.append(v)
            x, y = points[-1]
            labels.append((x, y, joint_label(sigs), style))
        p = self._palette
        styles = [Style(pen(c, 2.0)) for c in (p.up, p.down)]
        segments = tuple(np.asarray(c, np.float64) for c in cols)
        self._set_shapes(
            Shapes(segments=segments, labels=tuple(labels)), styles, label_fill=p.background + "b0"
        )
