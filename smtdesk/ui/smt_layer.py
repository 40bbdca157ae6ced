"""Which SMT signals one price pane draws, drawn by one reused item.

A chart with every historic SMT on it is unreadable, so a pane draws the signal picked
in the sidebar and the SMT signals of the last :data:`RECENT_BARS` bars: the live ones,
then, while there is room and ended signals are not hidden, those that just ended
(faded). The trade plan is
the picked signal's, or while none is picked the newest recent confirmed one's: the
trade a trader would be in now. Both charts get the same signals, so each draws its
own asset's side of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from smtdesk.core.signal import Signal
from smtdesk.ui.items.smt_setup import SmtSetupItem
from smtdesk.ui.pane import Pane
from smtdesk.ui.smt_drawing import ENDED, Account, Drawing, plan_drawing, smt_drawing
from smtdesk.ui.theme import Palette

RECENT_BARS = 30
"""An SMT signal whose latest event is this recent is drawn without being picked."""
MAX_RECENT = 4
PLAN_BARS = 30
"""How many bars right of its signal's bar a trade plan's zones run."""


class SmtLayer:
    """The SMT lines, MSS levels and trade plan of one price pane."""

    def __init__(self, pane: Pane, palette: Palette) -> None:
        self._pane = pane
        self._palette = palette
        self.item = SmtSetupItem()
        self.item.setZValue(6)  # over candles, overlays and the divergence marks
        self.item.reserved = self._legend_box
        pane.plot.addItem(self.item, ignoreBounds=True)
        pane.fitted.append(self.item)
        self._signals: dict[str, Signal] = {}
        self._picked: Signal | None = None
        self._hide_ended = False
        self._symbol = ""
        self._bar_seconds = 3600.0
        self._last_time = math.nan
        self._account = Account(10_000.0, 1.0)

    # -- inputs ---------------------------------------------------------------------------
    def set_asset(self, symbol: str, bar_seconds: float, last_time: float, *, fresh: bool = False) -> None:
        """The pane's asset, its bar length and newest bar time (seconds); ``fresh``:
        another series, whose signals are still to come."""
        if fresh:
            self._signals, self._picked = {}, None
        self._symbol, self._bar_seconds, self._last_time = symbol, bar_seconds, last_time
        self._redraw()

    def set_signals(self, signals: Iterable[Signal]) -> None:
        """The latest state of every SMT signal of the pair (other kinds are ignored)."""
        self._signals = {s.id: s for s in signals if s.kind == "smt"}
        self._redraw()

    def pick(self, sig: Signal | None) -> None:
        """Draw ``sig`` (an SMT signal picked in the sidebar) whatever its age; None or
        another kind drops the pick."""
        self._picked = sig if sig is not None and sig.kind == "smt" else None
        self._redraw()

    def set_hide_ended(self, hidden: bool) -> None:
        """Hide cancelled and invalidated signals (the picked one still shows, faded)."""
        self._hide_ended = hidden
        self._redraw()

    def set_account(self, size: float, risk_pct: float) -> None:
        """The account size and risk per trade the plans' position sizes assume."""
        self._account = Account(size, risk_pct)
        self._redraw()

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        self._redraw()

    # -- what is drawn --------------------------------------------------------------------
    def picked(self) -> Signal | None:
        """The picked signal in its latest state."""
        if self._picked is None:
            return None
        return self._signals.get(self._picked.id, self._picked)

    def shown(self) -> tuple[Signal, ...]:
        """The signals drawn, oldest first."""
        since = self._last_time - RECENT_BARS * self._bar_seconds
        recent = sorted((s for s in self._signals.values() if s.known_time / 1000.0 >= since),
                        key=lambda s: s.known_time)
        # live signals first; signals that just ended fill what room is left
        live = [s for s in recent if s.state not in ENDED][-MAX_RECENT:]
        room = 0 if self._hide_ended else MAX_RECENT - len(live)
        ended = [s for s in recent if s.state in ENDED][-room:] if room else []
        out = {s.id: s for s in live + ended}
        picked = self.picked()
        if picked is not None:
            out[picked.id] = picked
        return tuple(sorted(out.values(), key=lambda s: s.known_time))

    def planned(self) -> Signal | None:
        """The signal whose trade plan is drawn."""
        picked = self.picked()
        if picked is not None:
            return picked if picked.plan is not None else None
        confirmed = [s for s in self.shown() if s.plan is not None]
        return confirmed[-1] if confirmed else None

    def _redraw(self) -> None:
        if not self._symbol:
            return
        p = self._palette
        drawing = Drawing()
        for sig in self.shown():
            drawing += smt_drawing(sig, self._symbol, p, last_time=self._last_time)
        planned = self.planned()
        if planned is not None:
            drawing += plan_drawing(planned, self._symbol, p, bar_seconds=self._bar_seconds,
                                    bars=PLAN_BARS, account=self._account)
        if drawing != self.item.drawing:
            self.item.set_drawing(drawing)
            self._pane.fit_y()  # a plan's stop and target are kept on screen

    def _legend_box(self) -> list:
        legend = self._pane.legend
        viewport = self._pane.viewport()
        return [legend.geometry().translated(-viewport.x(), -viewport.y()).toRectF()]
