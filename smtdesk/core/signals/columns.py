"""Indicator columns of one asset for the signal detectors, over a history or live."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from smtdesk.core.candles import Candles
from smtdesk.core.indicators import IndicatorConfig, IndicatorSet, compute_indicators
from smtdesk.core.indicators._common import Bar

# Indicators the detectors read; the moving-average list is trimmed to the cross's pair.
INDICATOR_CONFIG = IndicatorConfig(sma_periods=(), ema_periods=())
COLUMNS = (
    "rsi",
    "dif",
    "dea",
    "k",
    "d",
    "j",
    "cci",
    "adx",
    "pdi",
    "mdi",
    "obv",
    "mfi",
    "bb_upper",
    "bb_lower",
    "bb_squeeze",
    "ma_cross",
    "ma_confirmed",
)


class IndicatorColumns:
    """The indicator columns of one asset over a history, grown one closed bar at a time."""

    def __init__(self) -> None:
        # A full scan's columns as computed; the first live bar copies them into one
        # buffer with a row per column, so a live bar is written with one assignment.
        self._full: dict[str, np.ndarray] = {}
        self._buf = np.empty((len(COLUMNS), 0))
        self._n = 0
        self._set: IndicatorSet | None = None
        self._history: Candles = Candles.empty()

    def run(self, c: Candles) -> None:
        d = compute_indicators(c.high, c.low, c.close, c.volume, config=INDICATOR_CONFIG)
        cols = {
            "rsi": d["rsi"],
            "dif": d["macd"].dif,
            "dea": d["macd"].dea,
            "k": d["kdj"].k,
            "d": d["kdj"].d,
            "j": d["kdj"].j,
            "cci": d["cci"],
            "adx": d["adx"].adx,
            "pdi": d["adx"].plus_di,
            "mdi": d["adx"].minus_di,
            "obv": d["obv"],
            "mfi": d["mfi"],
            "bb_upper": d["bollinger"].upper,
            "bb_lower": d["bollinger"].lower,
            "bb_squeeze": d["bollinger"].squeeze,
            "ma_cross": d["ma_cross"].cross,
            "ma_confirmed": d["ma_cross"].volume_confirmed,
        }
        # As floats, like the live buffer (crosses and squeezes come as ints and bools).
        self._full = {name: np.asarray(cols[name], np.float64) for name in COLUMNS}
        self._buf = np.empty((len(COLUMNS), 0))
        self._n = len(c)
        self._set = None
        self._history = c

    def update(self, c: Candles, values: Sequence[Mapping[str, Any]] | None = None) -> None:
        """Fold in the bars ``c`` gained since the last call (``c`` extends the last series).

        ``values`` are the indicators at each of those bars when the caller computed them
        already, by an :class:`IndicatorSet` of the same periods (:data:`INDICATOR_CONFIG`
        less the moving averages, which are not read) over the same bars from the same
        first bar: a live pair model does so for its charts.
        """
        n_old = self._n
        if values is not None and len(values) != len(c) - n_old:
            values = None  # not the bars this update brings: computed here instead
        if values is not None:
            self._set = None  # it would lag behind: made again from the history when needed
        elif self._set is None:
            h = self._history
            self._set = IndicatorSet.from_history(
                h.high, h.low, h.close, h.volume, config=INDICATOR_CONFIG
            )
        rows = []
        for k in range(n_old, len(c)):
            v = values[k - n_old] if values is not None else self._set.update(
                Bar(
                    high=float(c.high[k]),
                    low=float(c.low[k]),
                    close=float(c.close[k]),
                    volume=float(c.volume[k]),
                )
            )
            m, kd, ax, bb, mc = v["macd"], v["kdj"], v["adx"], v["bollinger"], v["ma_cross"]
            rows.append(
                (
                    v["rsi"],
                    m.dif,
                    m.dea,
                    kd.k,
                    kd.d,
                    kd.j,
                    v["cci"],
                    ax.adx,
                    ax.plus_di,
                    ax.minus_di,
                    v["obv"],
                    v["mfi"],
                    bb.upper,
                    bb.lower,
                    float(bb.squeeze),
                    float(mc.cross),
                    float(mc.volume_confirmed),
                )
            )
        self._grow(np.array(rows, np.float64).reshape(-1, len(COLUMNS)))
        self._history = c

    def _grow(self, rows: np.ndarray) -> None:
        need = self._n + len(rows)
        if self._full:
            full, self._full = self._full, {}
            self._buf = np.empty((len(COLUMNS), max(need, _roomier(self._n))))
            for i, name in enumerate(COLUMNS):
                self._buf[i, : self._n] = full[name]
        if need > self._buf.shape[1]:
            bigger = np.empty((len(COLUMNS), max(need, _roomier(self._buf.shape[1]))))
            bigger[:, : self._n] = self._buf[:, : self._n]
            self._buf = bigger
        self._buf[:, self._n : need] = rows.T
        self._n = need

    def view(self) -> dict[str, np.ndarray]:
        if self._full:
            return self._full
        return {name: self._buf[i, : self._n] for i, name in enumerate(COLUMNS)}


def _roomier(n: int) -> int:
    """Room for a quarter more rows: a live update copies the history only now and then,
    and a kept history (its bound a tenth above it after a trim) fits without a copy."""
    return n + n // 4 + 16
