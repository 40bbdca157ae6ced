"""What each sub-panel shows: its series, reference levels and value format.

A panel reads values core already computed (``AssetAnalysis.indicators``) or
derivatives series the data layer delivered; nothing here calculates an indicator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from smtdesk.core.analysis import AssetAnalysis
from smtdesk.data import derivatives as deriv
from smtdesk.data.derivatives import DerivSeries

LINE, HISTOGRAM, VOLUME = "line", "histogram", "volume"


@dataclass(frozen=True, slots=True)
class PanelInput:
    analysis: AssetAnalysis
    x: np.ndarray
    """The candles' open times in seconds (the charts' x), computed once per analysis."""
    derivatives: Mapping[str, DerivSeries] = field(default_factory=dict)
    """Latest series of this asset by kind (see :data:`smtdesk.data.derivatives.KINDS`)."""


Values = Callable[[PanelInput], "tuple[np.ndarray, np.ndarray] | None"]


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: Values
    """(x in epoch seconds, y) or None when the data is not there."""
    style: str = LINE


@dataclass(frozen=True, slots=True)
class PanelSpec:
    key: str
    title: str
    series: tuple[Series, ...]
    levels: tuple[float, ...] = ()
    y_range: tuple[float, float] | None = None
    """Fixed value range (oscillators bounded 0–100); None fits the visible values."""
    compact: bool = False
    """Axis labels as 1.2K / 3.4M (volume, OBV, open interest)."""
    scale: float = 1.0
    suffix: str = ""
    kinds: tuple[str, ...] = ()
    """The derivatives kinds the panel shows (:mod:`smtdesk.data.derivatives`); none for an
    indicator panel."""

    @property
    def derivatives(self) -> bool:
        return bool(self.kinds)


def _indicator(name: str, part: str | None = None) -> Values:
    def values(data: PanelInput):
        v = data.analysis.indicators.get(name)
        if v is None:  # a moving average the settings no longer compute: no line
            return data.x, np.full(len(data.x), np.nan)
        return data.x, (v if part is None else getattr(v, part))

    return values


def _volume(data: PanelInput):
    return data.x, data.analysis.candles.volume


def _derivative(kind: str, scale: float = 1.0) -> Values:
    def values(data: PanelInput):
        s = data.derivatives.get(kind)
        if s is None or not len(s):
            return None
        return s.time / 1000.0, s.value * scale

    return values


PANELS: dict[str, PanelSpec] = {
    spec.key: spec
    for spec in (
        PanelSpec("volume", "Volume", (Series("Vol", _volume, VOLUME),), compact=True),
        PanelSpec(
            "macd",
            "MACD 12 26 9",
            (
                Series("Hist", _indicator("macd", "hist"), HISTOGRAM),
                Series("DIF", _indicator("macd", "dif")),
                Series("DEA", _indicator("macd", "dea")),
            ),
            levels=(0.0,),
        ),
        PanelSpec("rsi", "RSI 14", (Series("RSI", _indicator("rsi")),), levels=(30.0, 50.0, 70.0), y_range=(0, 100)),
        PanelSpec(
            "kdj",
            "KDJ 9 3 3",
            (Series("K", _indicator("kdj", "k")), Series("D", _indicator("kdj", "d")), Series("J", _indicator("kdj", "j"))),
            levels=(20.0, 80.0),
        ),
        PanelSpec("cci", "CCI 20", (Series("CCI", _indicator("cci")),), levels=(-100.0, 0.0, 100.0)),
        PanelSpec(
            "adx",
            "ADX 14",
            (
                Series("ADX", _indicator("adx", "adx")),
                Series("+DI", _indicator("adx", "plus_di")),
                Series("−DI", _indicator("adx", "minus_di")),
            ),
            levels=(20.0, 25.0),
        ),
        PanelSpec("obv", "OBV", (Series("OBV", _indicator("obv")),), compact=True),
        PanelSpec("mfi", "MFI 14", (Series("MFI", _indicator("mfi")),), levels=(20.0, 80.0), y_range=(0, 100)),
        PanelSpec(
            "funding",
            "Funding rate",
            (Series("Funding", _derivative(deriv.FUNDING, 100.0), HISTOGRAM),),
            levels=(0.0,),
            suffix=" %",
            kinds=(deriv.FUNDING,),
        ),
        PanelSpec(
            "open_interest",
            "Open interest",
            (Series("OI", _derivative(deriv.OPEN_INTEREST)),),
            compact=True,
            kinds=(deriv.OPEN_INTEREST,),
        ),
        PanelSpec(
            "long_short",
            "Long/short ratios",
            (
                Series("Global acc.", _derivative(deriv.GLOBAL_ACCOUNT_RATIO)),
                Series("Top acc.", _derivative(deriv.TOP_ACCOUNT_RATIO)),
                Series("Top pos.", _derivative(deriv.TOP_POSITION_RATIO)),
            ),
            levels=(1.0,),
            kinds=deriv.RATIO_KINDS,
        ),
    )
}
"""Every sub-panel the Indicators menu offers, in menu order."""

RSI_EXTREMES = (20.0, 80.0)
"""Optional RSI lines (domain §3), toggled from the Indicators menu."""


@dataclass(frozen=True, slots=True)
class Overlay:
    key: str
    label: str
    values: tuple[Values, ...]


OVERLAYS: dict[str, Overlay] = {
    o.key: o
    for o in (
        *(Overlay(f"sma{p}", f"SMA {p}", (_indicator(f"sma{p}"),)) for p in (5, 10, 20, 50, 200)),
        Overlay("ema20", "EMA 20", (_indicator("ema20"),)),
        Overlay(
            "bollinger",
            "Bollinger 20 2",
            (_indicator("bollinger", "upper"), _indicator("bollinger", "middle"), _indicator("bollinger", "lower")),
        ),
    )
}
"""Lines drawn over the candles, offered by the Overlays menu."""
