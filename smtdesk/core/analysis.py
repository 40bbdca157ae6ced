"""What the charts show of a pair: the frozen snapshot :class:`~smtdesk.core.pair_model.PairModel` returns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from smtdesk.core.candles import Candles
from smtdesk.core.drawings import Drawing
from smtdesk.core.indicators import IndicatorConfig, compute_indicators
from smtdesk.core.signal import Signal
from smtdesk.core.structure.levels import MarketStructure, market_structure
from smtdesk.core.structure.swing_levels import SwingLevels, swing_levels
from smtdesk.core.structure.swings import ManualSwing, SuppressedSwing, Swings, find_swings
from smtdesk.core.structure.track import StructureTrack

@dataclass(frozen=True, slots=True)
class AssetAnalysis:
    """One asset's candles and what is drawn over them."""

    symbol: str
    candles: Candles
    indicators: Mapping[str, Any]
    """Every indicator of domain §3 over ``candles``, keyed as :func:`compute_indicators`."""
    swings: Swings
    """Automatic major swings, less those a manual swing of the same kind replaces and
    those the user deleted."""
    manual: tuple[ManualSwing, ...] = ()
    """Swings the user placed, on bars of ``candles``."""
    structure: MarketStructure | None = None
    """Minor swings, fair value gaps, liquidity pools, sweeps and shifts (domain §4); None
    while no chart shows them."""
    suppressed: tuple[SuppressedSwing, ...] = ()
    """Automatic swings the user deleted, on bars of ``candles``."""
    levels: SwingLevels | None = None
    """The level of every major, manual and (with ``structure``) minor swing, and the
    bar that took it."""


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
    drawings: Mapping[str, tuple[Drawing, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """The user's drawings on each symbol's chart, read with a loaded history (on the
    snapshot that brings the history only; later ones leave them out)."""
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
    suppressed: Iterable[SuppressedSwing] = (),
    indicator_config: IndicatorConfig = IndicatorConfig(),
    major_strength: int = 5,
    with_structure: bool = True,
    structure_track: StructureTrack | None = None,
    levels: SwingLevels | None = None,
    levels_of: Callable[[tuple[np.ndarray, np.ndarray]], SwingLevels] | None = None,
) -> AssetAnalysis:
    """One asset's picture: its ``indicators``, automatic ``swings`` and ``structure`` as
    given, or computed over the whole history when not (the structure only
    ``with_structure``); the ``manual`` swings replace automatic ones on their bars and
    the ``suppressed`` ones are none; the swing ``levels`` as given (a live update's)
    or found anew."""
    if indicators is None:
        indicators = compute_indicators(candles.high, candles.low, candles.close, candles.volume,
                                        config=indicator_config)
    if swings is None:
        swings = find_swings(candles.high, candles.low, strength=major_strength)
    placed = _on_bars(candles, manual)
    deleted = _on_bars(candles, suppressed)
    hand, gone = marked_bars(candles, placed), marked_bars(candles, deleted)
    if placed or deleted:
        # a manual swing replaces the automatic one of its kind on the same bar (domain §8)
        swings = Swings(
            np.setdiff1d(swings.high_idx, np.union1d(hand[0], gone[0])),
            np.setdiff1d(swings.low_idx, np.union1d(hand[1], gone[1])),
            swings.strength,
        )
    if structure is None and with_structure:
        majors = (_merged(swings.high_idx, hand[0]), _merged(swings.low_idx, hand[1]))
        if structure_track is not None:
            structure = structure_track.update(candles.open, candles.high, candles.low, candles.close,
                                               majors, suppressed=gone)
        else:
            structure = market_structure(candles.open, candles.high, candles.low, candles.close,
                                         major_swings=majors, major=swings.strength,
                                         minor=minor_strength, suppressed=gone)
    if levels is None:
        minor = (_NONE, _NONE) if structure is None else (structure.minor.high_idx, structure.minor.low_idx)
        if levels_of is not None:  # a live model's, kept up bar by bar
            levels = levels_of(minor)
        else:
            levels = swing_levels(candles.high, candles.low, major=(swings.high_idx, swings.low_idx),
                                  manual=hand, minor=minor)
    return AssetAnalysis(symbol, candles, indicators, swings, placed, structure, deleted, levels)


_NONE = np.empty(0, np.int64)
_NONE.flags.writeable = False


def _on_bars(candles: Candles, marks: Iterable) -> tuple:
    return tuple(m for m in marks if len(candles) and _on_a_bar(candles, m.time))


def marked_bars(candles: Candles, marks: Iterable) -> tuple[np.ndarray, np.ndarray]:
    """(high bars, low bars) of the marked swings (manual or suppressed) on bars of
    ``candles``; marks off its bars are left out."""
    marks = _on_bars(candles, marks)
    if not marks:  # most charts: nothing marked, and a live candle asks on every snapshot
        return _NONE, _NONE
    return tuple(  # type: ignore[return-value]
        candles.time.searchsorted(np.array([m.time for m in marks if m.kind == kind], np.int64))
        for kind in ("high", "low")
    )


def _merged(bars: np.ndarray, placed: np.ndarray) -> np.ndarray:
    # most charts have no manual swing: the automatic bars as they are, not re-sorted
    return np.union1d(bars, placed) if len(placed) else bars


def _on_a_bar(candles: Candles, time: int) -> bool:
    i = int(candles.time.searchsorted(time))
    return i < len(candles) and int(candles.time[i]) == time
