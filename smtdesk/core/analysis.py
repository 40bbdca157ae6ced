"""What the charts show of a pair: the frozen snapshot :class:`~smtdesk.core.pair_model.PairModel` returns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from smtdesk.core.candles import Candles
from smtdesk.core.indicators import IndicatorConfig, compute_indicators
from smtdesk.core.signal import Signal
from smtdesk.core.structure.levels import MarketStructure, market_structure
from smtdesk.core.structure.swings import ManualSwing, Swings, find_swings

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
    structure: MarketStructure | None = None
    """Minor swings, fair value gaps, liquidity pools, sweeps and shifts (domain §4); None
    while no chart shows them."""


@dataclass(frozen=True, slots=True)
class PairAnalysis:
    """Both assets of the pair and every signal event known so far."""

    timeframe: str
    assets: tuple[AssetAnalysis, AssetAnalysis]
    signals: Sequence[Signal]
    """Every event so far, in the order they became known."""
    revision: int = 0
    """Changes whenever the signals were found anew (not merely grown by live events)."""
    latest: Mapping[str, Signal] = field(default_factory=lambda: MappingProxyType({}))
    """The latest state of each signal id as found at this revision; live events since
    come one by one (as the model's new events)."""
    detected: bool = True
    """False while the signals of a just loaded history are still to be found."""
    analysed: bool = True
    """False in a history's first snapshot (:func:`candles_only`): its candles alone, the
    indicators and swings still to come."""


def candles_only(timeframe: str, symbols: Sequence[str], histories: Sequence[Candles]) -> PairAnalysis:
    """The pair's candles before any analysis ran, to draw while it runs: no indicators,
    no swings, no signals. Computes nothing (no compiled loop is needed)."""
    none = np.empty(0, np.int64)
    assets = tuple(AssetAnalysis(s, c, MappingProxyType({}), Swings(none, none, 0))
                   for s, c in zip(symbols, histories))
    return PairAnalysis(timeframe, assets, (), detected=False, analysed=False)


def analyze_asset(
    symbol: str,
    candles: Candles,
    *,
    indicators: Mapping[str, Any] | None = None,
    swings: Swings | None = None,
    structure: MarketStructure | None = None,
    minor_strength: int = 2,
    manual: Iterable[ManualSwing] = (),
    indicator_config: IndicatorConfig = IndicatorConfig(),
    major_strength: int = 5,
    with_structure: bool = True,
) -> AssetAnalysis:
    """One asset's picture: its ``indicators``, automatic ``swings`` and ``structure`` as
    given, or computed over the whole history when not (the structure only
    ``with_structure``)."""
    if indicators is None:
        indicators = compute_indicators(candles.high, candles.low, candles.close, candles.volume,
                                        config=indicator_config)
    if swings is None:
        swings = find_swings(candles.high, candles.low, strength=major_strength)
    placed = tuple(m for m in manual if len(candles) and _on_a_bar(candles, m.time))
    hand = {kind: np.empty(0, np.int64) for kind in ("high", "low")}
    if placed:
        # a manual swing replaces the automatic one of its kind on the same bar (domain §8)
        hand = {kind: candles.time.searchsorted([m.time for m in placed if m.kind == kind]) for kind in ("high", "low")}
        swings = Swings(
            np.setdiff1d(swings.high_idx, hand["high"]),
            np.setdiff1d(swings.low_idx, hand["low"]),
            swings.strength,
        )
    if structure is None and with_structure:
        structure = market_structure(
            candles.open, candles.high, candles.low, candles.close,
            major_swings=(np.union1d(swings.high_idx, hand["high"]), np.union1d(swings.low_idx, hand["low"])),
            major=swings.strength,
            minor=minor_strength,
        )
    return AssetAnalysis(symbol, candles, indicators, swings, placed, structure)


def _on_a_bar(candles: Candles, time: int) -> bool:
    i = int(candles.time.searchsorted(time))
    return i < len(candles) and int(candles.time[i]) == time
