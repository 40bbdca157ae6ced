"""Everything the charts show for a pair, computed in one place.

``PairAnalyzer`` keeps the state of a live pair: it takes a history, then candles as
they arrive, and returns what to draw plus the signal events that are new.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from smtdesk.core.candles import Candles, align_pair
from smtdesk.core.engine import SmtEngine
from smtdesk.core.indicators import IndicatorConfig, compute_indicators
from smtdesk.core.signal import Signal
from smtdesk.core.smt import SmtParams
from smtdesk.core.swings import ManualSwing, Swings, find_swings


@dataclass(frozen=True, slots=True)
class AssetAnalysis:
    """One asset's candles and what is drawn over them."""

    symbol: str
    candles: Candles
    indicators: Mapping[str, Any]
    """Every indicator of domain §3 over ``candles``, keyed as :func:`compute_indicators`."""
    swings: Swings
    """Automatic major swings, less those a manual swing of the same kind replaces."""
    manual: tuple[ManualSwing, ...] = ()
    """Swings the user placed, on bars of ``candles``."""


@dataclass(frozen=True, slots=True)
class PairAnalysis:
    """Both assets of the pair and every signal event known so far."""

    timeframe: str
    assets: tuple[AssetAnalysis, AssetAnalysis]
    signals: tuple[Signal, ...]


def analyze_asset(
    symbol: str,
    candles: Candles,
    *,
    indicators: IndicatorConfig = IndicatorConfig(),
    major_strength: int = 5,
    manual: Iterable[ManualSwing] = (),
) -> AssetAnalysis:
    values = compute_indicators(candles.high, candles.low, candles.close, candles.volume, config=indicators)
    swings = find_swings(candles.high, candles.low, strength=major_strength)
    placed = tuple(m for m in manual if len(candles) and _on_a_bar(candles, m.time))
    if placed:
        # a manual swing replaces the automatic one of its kind on the same bar (domain §8)
        hand = {kind: candles.time.searchsorted([m.time for m in placed if m.kind == kind]) for kind in ("high", "low")}
        swings = Swings(
            np.setdiff1d(swings.high_idx, hand["high"]),
            np.setdiff1d(swings.low_idx, hand["low"]),
            swings.strength,
        )
    return AssetAnalysis(symbol, candles, values, swings, placed)


def _on_a_bar(candles: Candles, time: int) -> bool:
    i = int(candles.time.searchsorted(time))
    return i < len(candles) and int(candles.time[i]) == time


class PairAnalyzer:
    """The analysis of a pair, kept current candle by candle.

    The signal engine sees only the timestamps both assets have; a candle that one
    side lacks is never compared (domain §2).
    """

    def __init__(
        self,
        symbols: tuple[str, str],
        timeframe: str,
        *,
        indicators: IndicatorConfig = IndicatorConfig(),
        smt: SmtParams = SmtParams(),
    ) -> None:
        self.symbols = symbols
        self.timeframe = timeframe
        self._indicators = indicators
        self._major = smt.major
        self._candles = [Candles.empty(), Candles.empty()]
        self._engine = SmtEngine(timeframe=timeframe, assets=symbols, params=smt)
        self._events: list[Signal] = []
        self._manual: dict[str, tuple[ManualSwing, ...]] = {s: () for s in symbols}
        self._assets: tuple[AssetAnalysis, ...] = ()

    def load(self, a: Candles, b: Candles) -> PairAnalysis:
        self.load_charts(a, b)
        return self.detect()

    def load_charts(self, a: Candles, b: Candles) -> PairAnalysis:
        """Take whole histories: each asset's analysis, with no signals yet (detecting
        them over a long history takes longer; :meth:`detect` does)."""
        self._candles = [a, b]
        self._events = []
        return self._snapshot()

    def detect(self) -> PairAnalysis:
        """The analysis of the histories :meth:`load_charts` took, with every signal."""
        self._events = list(self._engine.run(*align_pair(*self._candles), manual=self._manual))
        return PairAnalysis(self.timeframe, self._assets, tuple(self._events))

    def set_manual(self, symbol: str, swings: Iterable[ManualSwing]) -> PairAnalysis:
        """Replace the hand-placed swings of ``symbol`` and re-run detection at once.

        The events returned are those of the whole history with the new swings: ones
        that depended on a moved swing change or disappear.
        """
        self._manual[symbol] = tuple(sorted(set(swings), key=lambda m: (m.time, m.kind)))
        if len(self._candles[0]) and len(self._candles[1]):
            self._events = list(self._engine.run(*align_pair(*self._candles), manual=self._manual))
        return self._snapshot()

    def configure(self, *, indicators: IndicatorConfig, smt: SmtParams) -> PairAnalysis | None:
        """Analyse with new parameters from now on, and the candles held so far at once
        (manual swings kept); None while a history is still missing."""
        self._indicators, self._major = indicators, smt.major
        self._engine = SmtEngine(timeframe=self.timeframe, assets=self.symbols, params=smt)
        if not (len(self._candles[0]) and len(self._candles[1])):
            return None
        self._snapshot()
        return self.detect()

    def append(self, symbol: str, candles: Candles) -> tuple[PairAnalysis, tuple[Signal, ...]]:
        """Merge new candles of ``symbol``; return the analysis and the new events."""
        i = self.symbols.index(symbol)
        self._candles[i] = self._candles[i].merge(candles)
        new = tuple(self._engine.update(*align_pair(*self._candles)))
        self._events.extend(new)
        return self._snapshot(), new

    def _snapshot(self) -> PairAnalysis:
        self._assets = tuple(
            analyze_asset(s, c, indicators=self._indicators, major_strength=self._major, manual=self._manual[s])
            for s, c in zip(self.symbols, self._candles)
        )
        return PairAnalysis(self.timeframe, self._assets, tuple(self._events))
