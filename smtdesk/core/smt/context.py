"""What an SMT event is judged against: higher-timeframe trend, pair correlation, ATR.

Kept up to date bar by bar alongside the engine; every reading at bar ``k`` uses bars
up to ``k`` only, and a full scan and a live update read identical values.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from smtdesk.core.candles import Candles
from smtdesk.core.smt.correlation import RollingCorrelation
from smtdesk.core.indicators import ATRState, atr
from smtdesk.core.indicators._common import Bar
from smtdesk.core.resample import HIGHER_TIMEFRAMES, HtfTrend

COUNTER_TREND = "counter-trend"
ALIGNED = "aligned"
WEAK_PAIR = "weak pair"
_TREND_WORD = {1: "up", -1: "down", 0: "range"}


class PairContext:
    """HTF trends of both assets, their correlation and ATR, readable at any seen bar."""

    def __init__(
        self, timeframe: str, *, major: int, atr_period: int, corr_window: int, corr_min: float
    ) -> None:
        self.timeframe = timeframe
        self.higher = HIGHER_TIMEFRAMES.get(timeframe, ())
        self._major, self._atr_period = major, atr_period
        self._corr_window, self._corr_min = corr_window, corr_min
        self.reset()

    def reset(self) -> None:
        self._a = self._b = Candles.empty()
        self._trends = [
            [HtfTrend(self.timeframe, h, strength=self._major) for h in self.higher] for _ in (0, 1)
        ]
        self._atr_full: list[np.ndarray] = [np.empty(0), np.empty(0)]
        self._atr_tail: list[list[float]] = [[], []]
        self._atr_state: list[ATRState | None] = [None, None]
        self._corr = RollingCorrelation(window=self._corr_window)
        self._tag_sets: dict[int, frozenset[str]] = {}

    def run(self, a: Candles, b: Candles) -> None:
        """Read a whole history."""
        self.reset()
        self._a, self._b = a, b
        for ai, c in enumerate((a, b)):
            for tr in self._trends[ai]:
                tr.update(c)
            self._atr_full[ai] = (
                atr(c.high, c.low, c.close, self._atr_period) if len(c) else np.empty(0)
            )
        self._corr.update(a.close, b.close)

    def update(self, a: Candles, b: Candles) -> None:
        """Fold in the bars ``a`` and ``b`` gained since the last call."""
        n_old = len(self._a)
        self._a, self._b = a, b
        self._corr.update(a.close, b.close)
        for ai, c in enumerate((a, b)):
            for tr in self._trends[ai]:
                tr.update(c)
            state = self._atr_state[ai]
            if state is None:
                state = ATRState.from_history(
                    high=c.high[:n_old],
                    low=c.low[:n_old],
                    close=c.close[:n_old],
                    period=self._atr_period,
                )
                self._atr_state[ai] = state
            for k in range(n_old, len(c)):
                value = state.update(
                    Bar(
                        high=float(c.high[k]),
                        low=float(c.low[k]),
                        close=float(c.close[k]),
                        volume=float(c.volume[k]),
                    )
                )
                self._atr_tail[ai].append(float(value))

    def atr_at(self, ai: int, bars: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """ATR of asset ``ai`` at each of ``bars``."""
        bars = np.asarray(bars, np.int64)
        full = self._atr_full[ai]
        if not len(bars) or bars.max() < len(full):
            return full[bars]
        # Live bars read the tail grown since the full scan; the history is not copied.
        out = np.empty(len(bars))
        inside = bars < len(full)
        out[inside] = full[bars[inside]]
        out[~inside] = np.asarray(self._atr_tail[ai])[bars[~inside] - len(full)]
        return out

    def tag_codes(self, bars: npt.ArrayLike, yi: int, *, bearish: bool) -> npt.NDArray[np.int64]:
        """Tags of events known at ``bars`` on a signal traded on asset ``yi``, one small
        integer per combination of readings; :meth:`tag_set` turns a code into its tags.

        "counter-trend" when the first higher timeframe's trend of the traded asset
        opposes the signal, else "aligned"; one "<tf> up/down/range" tag per higher
        timeframe; "weak pair" when the correlation is below the threshold.
        """
        bars = np.asarray(bars, np.int64)
        codes = [tr.at_bars(bars) for tr in self._trends[yi]]
        against = codes[0] == (1 if bearish else -1) if codes else np.zeros(len(bars), bool)
        with np.errstate(invalid="ignore"):
            weak = self._corr.at(bars) < self._corr_min  # NaN (too early, flat): not judged
        key = against.astype(np.int64) * 2 + weak
        for code in codes:
            key = key * 3 + (code.astype(np.int64) + 1)
        return key

    def tag_set(self, key: int) -> frozenset[str]:
        """The tags a :meth:`tag_codes` code stands for."""
        tags = self._tag_sets.get(key)
        if tags is None:
            rest, codes = key, []
            for _ in self.higher:
                rest, code = divmod(rest, 3)
                codes.append(code - 1)
            against, weak = divmod(rest, 2)
            tags = self._tag_sets[key] = self._tag_set(codes[::-1], bool(against), bool(weak))
        return tags

    def _tag_set(self, codes: list[int], against: bool, weak: bool) -> frozenset[str]:
        words = [f"{tr.htf} {_TREND_WORD[code]}" for tr, code in zip(self._trends[0], codes)]
        if self.higher:
            words.append(COUNTER_TREND if against else ALIGNED)
        if weak:
            words.append(WEAK_PAIR)
        return frozenset(words)

