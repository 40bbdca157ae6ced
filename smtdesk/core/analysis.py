"""Everything the charts show for a pair, computed in one place.

``PairAnalyzer`` keeps the state of a live pair: it takes a history, then candles as
they arrive, and returns what to draw plus the signal events that are new.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smtdesk.core.candles import Candles, align_pair
from smtdesk.core.engine import SmtEngine
from smtdesk.core.indicators import IndicatorConfig, compute_indicators
from smtdesk.core.signal import Signal
from smtdesk.core.swings import Swings, find_swings


@dataclass(frozen=True, slots=True)
class AssetAnalysis:
    """One asset's candles and what is drawn over them."""

    symbol: str
    candles: Candles
    indicators: Mapping[str, Any]
    """Every indicator of domain §3 over ``candles``, keyed as :func:`compute_indicators`."""
    swings: Swings


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
) -> AssetAnalysis:
    values = compute_indicators(candles.high, candles.low, candles.close, candles.volume, config=indicators)
    swings = find_swings(candles.high, candles.low, strength=major_strength)
    return AssetAnalysis(symbol, candles, values, swings)


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
        major_strength: int = 5,
    ) -> None:
        self.symbols = symbols
        self.timeframe = timeframe
        self._indicators = indicators
        self._major = major_strength
        self._candles = [Candles.empty(), Candles.empty()]
        self._engine = SmtEngine(timeframe=timeframe, assets=symbols, major=major_strength)
        self._events: list[Signal] = []

    def load(self, a: Candles, b: Candles) -> PairAnalysis:
        self._candles = [a, b]
        self._events = list(self._engine.run(*align_pair(a, b)))
        return self._snapshot()

    def append(self, symbol: str, candles: Candles) -> tuple[PairAnalysis, tuple[Signal, ...]]:
        """Merge new candles of ``symbol``; return the analysis and the new events."""
        i = self.symbols.index(symbol)
        self._candles[i] = self._candles[i].merge(candles)
        new = tuple(self._engine.update(*align_pair(*self._candles)))
        self._events.extend(new)
        return self._snapshot(), new

    def _snapshot(self) -> PairAnalysis:
        assets = tuple(
            analyze_asset(s, c, indicators=self._indicators, major_strength=self._major)
            for s, c in zip(self.symbols, self._candles)
        )
        return PairAnalysis(self.timeframe, assets, tuple(self._events))
