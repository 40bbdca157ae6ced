"""The user's settings: every threshold of domain.md, the alert policy, the look and the layout.

One frozen :class:`Settings` value in sections. Each field declares its default (from
domain.md), its bounds and a one-line description; the settings dialog is built from these
declarations. The value is saved as versioned JSON wherever the caller says (the app passes
a file in its data folder), so this module stays free of Qt.

Core functions never see this object: :func:`indicator_config`, :func:`smt_params` and
:func:`indicator_signal_params` turn it into the plain parameter records they take.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import Field, asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, ClassVar

from smtdesk.core.signals.indicators import IndicatorSignalParams
from smtdesk.core.indicators import IndicatorConfig
from smtdesk.core.smt.rules import SmtParams
from smtdesk.core.pair_model import FAMILIES, AlertPolicy, ModelConfig
from smtdesk.core.signal import State
from smtdesk.core.smt.context import COUNTER_TREND, WEAK_PAIR

SCHEMA_VERSION = 2


class SettingsError(ValueError):
    """Settings that break a field's bounds or a rule between fields; one message each."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(self.problems))


def setting(
    default: Any,
    doc: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    choices: tuple[str, ...] | None = None,
    decimals: int = 2,
    special: str | None = None,
) -> Any:
    """A settings field: ``doc`` is its one-line description (the dialog's label).

    ``lo``/``hi`` bound a number (each element of a tuple of numbers); ``choices`` lists
    the values a text may take; ``special`` names what the lowest value means ("0 = ...").
    """
    meta = {"doc": doc, "lo": lo, "hi": hi, "choices": choices, "decimals": decimals, "special": special}
    return field(default=default, metadata=meta)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What the dialog needs to edit one field."""

    name: str
    kind: type
    """bool, int, float, str or tuple (of ints or of texts), that of the default."""
    doc: str
    lo: float | None
    hi: float | None
    choices: tuple[str, ...] | None
    decimals: int
    special: str | None


def _spec(f: Field) -> FieldSpec:
    m = f.metadata
    return FieldSpec(
        f.name, type(f.default), m["doc"], m["lo"], m["hi"], m["choices"], m["decimals"], m["special"]
    )


def _field_problem(title: str, spec: FieldSpec, value: Any) -> str | None:
    what = f"{title}: {spec.doc}"
    if spec.kind is bool:
        return None if isinstance(value, bool) else f"{what} must be on or off."
    if spec.kind is tuple:
        if not isinstance(value, tuple):
            return f"{what} must be a list."
        numeric = spec.lo is not None
        if numeric:
            if not value or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                return f"{what} must be whole numbers, separated by commas."
            if len(set(value)) != len(value):
                return f"{what} must not repeat a value."
            if any(not spec.lo <= v <= spec.hi for v in value):
                return f"{what} must each be from {spec.lo:g} to {spec.hi:g}."
        elif not all(isinstance(v, str) for v in value):
            return f"{what} must be texts."
        return None
    if spec.kind is str:
        if not isinstance(value, str):
            return f"{what} must be a text."
        if spec.choices is not None and value not in spec.choices:
            return f"{what} must be one of {', '.join(spec.choices)} (not {value!r})."
        return None
    number = (int,) if spec.kind is int else (int, float)
    if isinstance(value, bool) or not isinstance(value, number):
        return f"{what} must be a {'whole ' if spec.kind is int else ''}number."
    if value != value:  # NaN
        return f"{what} must be a number."
    if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
        return f"{what} must be from {spec.lo:g} to {spec.hi:g} (not {value:g})."
    return None


@dataclass(frozen=True, slots=True)
class Section:
    """A group of settings; subclasses add fields and the rules between them."""

    TITLE: ClassVar[str] = ""

    def __post_init__(self) -> None:
        found = (_field_problem(self.TITLE, s, getattr(self, s.name)) for s in self.specs())
        problems = [p for p in found if p]
        if not problems:
            problems = [f"{self.TITLE}: {p}" for p in self.rules()]
        if problems:
            raise SettingsError(problems)

    @classmethod
    def specs(cls) -> tuple[FieldSpec, ...]:
        return tuple(_spec(f) for f in fields(cls))

    def rules(self) -> list[str]:
        """Problems between fields (each field is already within its bounds)."""
        return []


@dataclass(frozen=True, slots=True)
class SwingSettings(Section):
    TITLE: ClassVar[str] = "Swings"

    major_strength: int = setting(5, "Major swing strength (bars each side)", lo=1, hi=50)
    minor_strength: int = setting(2, "Minor swing strength (bars each side; MSS levels)", lo=1, hi=50)
    pool_tolerance_pct: float = setting(
        0.1, "Equal highs/lows tolerance for liquidity pools, % of price", lo=0.0, hi=5.0, decimals=3
    )

    def rules(self) -> list[str]:
        if self.minor_strength > self.major_strength:
            return ["the minor swing strength cannot exceed the major one."]
        return []


@dataclass(frozen=True, slots=True)
class SmtSettings(Section):
    TITLE: ClassVar[str] = "SMT"

    mss_wait: int = setting(20, "Bars after the divergence to wait for the MSS", lo=1, hi=500)
    stop_buffer_atr: float = setting(0.1, "Stop buffer beyond the swing, in ATRs", lo=0.0, hi=5.0)
    atr_period: int = setting(14, "ATR period of the stop buffer", lo=1, hi=500)
    correlation_window: int = setting(200, "Pair correlation window (bars of log returns)", lo=10, hi=5000)
    correlation_min: float = setting(
        0.7, "Below this correlation the pair is weakly correlated", lo=-1.0, hi=1.0
    )
    htf_alignment: bool = setting(True, "Check the trend one and two timeframes up (counter-trend tag)")
    entry_wait: int = setting(
        20, "Statistics: bars a trade plan's entry may wait to be filled", lo=1, hi=1000
    )


@dataclass(frozen=True, slots=True)
class IndicatorSettings(Section):
    TITLE: ClassVar[str] = "Indicators"

    ma_periods: tuple[int, ...] = setting((5, 10, 20, 50, 200), "Moving average periods (SMA)", lo=2, hi=1000)
    cross_fast: int = setting(5, "MA cross: fast period", lo=1, hi=1000)
    cross_slow: int = setting(20, "MA cross: slow period", lo=2, hi=1000)
    volume_mean: int = setting(20, "Volume mean for a volume-confirmed cross (bars)", lo=1, hi=1000)
    macd_fast: int = setting(12, "MACD fast EMA", lo=1, hi=500)
    macd_slow: int = setting(26, "MACD slow EMA", lo=2, hi=500)
    macd_signal: int = setting(9, "MACD signal (DEA) EMA", lo=1, hi=500)
    rsi_period: int = setting(14, "RSI period", lo=2, hi=500)
    rsi_oversold: float = setting(30.0, "RSI oversold level", lo=1.0, hi=49.0, decimals=1)
    rsi_overbought: float = setting(70.0, "RSI overbought level", lo=51.0, hi=99.0, decimals=1)
    rsi_tier_2: float = setting(
        80.0, "RSI overheat second tier (mirrored below 50)", lo=51.0, hi=99.0, decimals=1
    )
    rsi_tier_3: float = setting(
        90.0, "RSI overheat third tier (mirrored below 50)", lo=51.0, hi=99.9, decimals=1
    )
    kdj_period: int = setting(9, "KDJ RSV period", lo=1, hi=500)
    kdj_k: int = setting(3, "KDJ K smoothing", lo=1, hi=100)
    kdj_d: int = setting(3, "KDJ D smoothing", lo=1, hi=100)
    cci_period: int = setting(20, "CCI period", lo=2, hi=500)
    adx_period: int = setting(14, "ADX period", lo=2, hi=500)
    adx_trending: float = setting(25.0, "ADX above this: trending", lo=1.0, hi=99.0, decimals=1)
    adx_ranging: float = setting(20.0, "ADX below this: ranging", lo=1.0, hi=99.0, decimals=1)
    mfi_period: int = setting(14, "MFI period", lo=2, hi=500)
    bb_period: int = setting(20, "Bollinger period", lo=2, hi=500)
    bb_stddev: float = setting(2.0, "Bollinger width, standard deviations", lo=0.1, hi=10.0)
    squeeze_lookback: int = setting(120, "Squeeze: bandwidth lowest of the last bars", lo=2, hi=5000)

    def rules(self) -> list[str]:
        problems = []
        if self.cross_fast >= self.cross_slow:
            problems.append("the fast MA of the cross must be shorter than the slow one.")
        if self.macd_fast >= self.macd_slow:
            problems.append("the MACD fast EMA must be shorter than the slow one.")
        if not self.rsi_overbought < self.rsi_tier_2 < self.rsi_tier_3:
            problems.append("the RSI overheat tiers must rise: overbought < second tier < third tier.")
        if self.adx_ranging > self.adx_trending:
            problems.append("the ADX ranging level cannot be above the trending one.")
        return problems


@dataclass(frozen=True, slots=True)
class SignalSettings(Section):
    TITLE: ClassVar[str] = "Signals"

    funding_high_pct: float = setting(
        0.03, "Overheat (longs): funding rate at or above, % per 8h", lo=-1.0, hi=1.0, decimals=4
    )
    funding_low_pct: float = setting(
        -0.01, "Squeeze risk (shorts): funding rate at or below, % per 8h", lo=-1.0, hi=1.0, decimals=4
    )
    ratio_high: float = setting(
        2.0, "Overheat (longs): long/short account ratio at or above", lo=0.01, hi=100.0
    )
    ratio_low: float = setting(
        0.7, "Squeeze risk (shorts): long/short account ratio at or below", lo=0.01, hi=100.0
    )
    failure_window: int = setting(
        20, "RSI failure swing: bars after the failure point for the break", lo=1, hi=500
    )
    failure_strength: int = setting(2, "RSI failure swing: strength of the RSI swings", lo=1, hi=20)
    cci_level: float = setting(
        100.0, "CCI extreme level (± this and zero are crossed)", lo=1.0, hi=1000.0, decimals=0
    )
    kdj_j_high: float = setting(100.0, "KDJ J overbought above", lo=50.0, hi=200.0, decimals=0)
    kdj_j_low: float = setting(0.0, "KDJ J oversold below", lo=-100.0, hi=50.0, decimals=0)

    def rules(self) -> list[str]:
        problems = []
        if self.funding_low_pct >= self.funding_high_pct:
            problems.append("the short funding threshold must be below the long one.")
        if self.ratio_low >= self.ratio_high:
            problems.append("the short long/short ratio threshold must be below the long one.")
        return problems


@dataclass(frozen=True, slots=True)
class RiskSettings(Section):
    TITLE: ClassVar[str] = "Risk and account"

    account_size: float = setting(10_000.0, "Account size", lo=1.0, hi=1e12, decimals=2)
    risk_pct: float = setting(1.0, "Risk per trade, % of the account", lo=0.01, hi=100.0)
    min_reward_risk: float = setting(
        0.0, "Minimum reward:risk of a confirmed signal to alert", lo=0.0, hi=20.0, special="no minimum"
    )


@dataclass(frozen=True, slots=True)
class AlertSettings(Section):
    TITLE: ClassVar[str] = "Alerts"

    forming: bool = setting(True, "Alert when an SMT divergence is forming (sweep candle)")
    divergence: bool = setting(True, "Alert when an SMT divergence is confirmed by its swing")
    confirmed: bool = setting(True, "Alert when the MSS confirms an SMT signal (trade plan)")
    mute_counter_trend: bool = setting(True, "Mute signals against the higher timeframe's trend")
    mute_weak_pair: bool = setting(True, "Mute signals on a weakly correlated pair")
    smt: bool = setting(True, "Alert SMT divergences")
    # a regular divergence comes every few bars on an hourly pair: listed, not raised
    divergences: bool = setting(False, "Alert indicator divergences (RSI, MACD, KDJ, CCI, OBV, MFI, volume)")
    failure_swings: bool = setting(True, "Alert RSI failure swings")
    overheat: bool = setting(True, "Alert overheat and squeeze risk (RSI, funding, long/short)")
    crosses: bool = setting(False, "Alert indicator crosses (RSI, CCI, KDJ, MACD, MA, ADX)")
    bands: bool = setting(False, "Alert Bollinger squeezes and closes outside the bands")
    open_interest: bool = setting(False, "Alert open interest readings")
    whales: bool = setting(False, "Alert top-trader consensus and split")
    muted: bool = setting(False, "Mute alerts: no sound and no system-tray message (the window still shows them)")


@dataclass(frozen=True, slots=True)
class HistorySettings(Section):
    TITLE: ClassVar[str] = "History"

    # 10,000 one-minute bars are a week, hourly ones over a year, daily ones every candle
    # the venues have. The pair takes some 3.5 MB per 1,000 bars kept (bench/soak.py), and
    # no more however long it is left open.
    bars_kept: int = setting(
        10_000, "Bars kept in memory per chart (the cache on disk keeps every candle)",
        lo=1_000, hi=500_000,
    )


@dataclass(frozen=True, slots=True)
class AppearanceSettings(Section):
    TITLE: ClassVar[str] = "Appearance"

    theme: str = setting("dark", "Colour theme", choices=("dark", "light"))


@dataclass(frozen=True, slots=True)
class LayoutSettings(Section):
    """Remembered from the window, never edited in the dialog."""

    TITLE: ClassVar[str] = "Layout"

    stacked: bool = setting(False, "Charts stacked instead of side by side")
    panels: tuple[str, ...] = setting(("rsi",), "Sub-panels open under the charts")
    overlays: tuple[str, ...] = setting(("sma20", "sma50"), "Lines drawn over the candles")
    rsi_extremes: bool = setting(False, "RSI 20/80 lines shown")
    venue: str = setting("", "Venue last shown (empty: the default)")
    symbols: tuple[str, ...] = setting((), "Pair last shown (empty: the default)")
    timeframe: str = setting("", "Timeframe last shown (empty: the default)")
    geometry: str = setting("", "Window geometry (base64)")
    window_state: str = setting("", "Toolbar and sidebar placement (base64)")

    def rules(self) -> list[str]:
        if self.symbols and len(self.symbols) != 2:
            return ["the pair must name two symbols."]
        return []


SECTIONS: dict[str, type[Section]] = {
    "swings": SwingSettings,
    "smt": SmtSettings,
    "indicators": IndicatorSettings,
    "signals": SignalSettings,
    "risk": RiskSettings,
    "alerts": AlertSettings,
    "history": HistorySettings,
    "appearance": AppearanceSettings,
    "layout": LayoutSettings,
}
"""Section name in the file -> its class, in the dialog's order."""

@dataclass(frozen=True, slots=True)
class Settings:
    swings: SwingSettings = field(default_factory=SwingSettings)
    smt: SmtSettings = field(default_factory=SmtSettings)
    indicators: IndicatorSettings = field(default_factory=IndicatorSettings)
    signals: SignalSettings = field(default_factory=SignalSettings)
    risk: RiskSettings = field(default_factory=RiskSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    history: HistorySettings = field(default_factory=HistorySettings)
    appearance: AppearanceSettings = field(default_factory=AppearanceSettings)
    layout: LayoutSettings = field(default_factory=LayoutSettings)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data, tuples as lists, with the schema version."""
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        for name in SECTIONS:
            values = asdict(getattr(self, name)).items()
            out[name] = {k: list(v) if isinstance(v, tuple) else v for k, v in values}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Settings:
        """Settings from :meth:`to_dict` data of this schema version; a missing field or
        section takes its default, an unknown one is an error (a misspelt key would
        otherwise be dropped without a word)."""
        unknown = set(data) - set(SECTIONS) - {"schema_version"}
        if unknown:
            raise SettingsError([f"unknown section(s) {', '.join(sorted(unknown))}."])
        sections = {}
        for name, section in SECTIONS.items():
            values = data.get(name, {})
            if not isinstance(values, Mapping):
                raise SettingsError([f"{section.TITLE}: must be a group of settings."])
            sections[name] = section_from_dict(section, values)
        return cls(**sections)


def section_from_dict(section: type[Section], values: Mapping[str, Any]) -> Section:
    """A section from plain values (lists for tuples); missing fields take their default."""
    names = {f.name for f in fields(section)}
    unknown = set(values) - names
    if unknown:
        raise SettingsError([f"{section.TITLE}: unknown setting(s) {', '.join(sorted(unknown))}."])
    kwargs = {}
    for spec in section.specs():
        if spec.name not in values:
            continue
        value = values[spec.name]
        if spec.kind is tuple and isinstance(value, list):
            value = tuple(value)
        elif spec.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        kwargs[spec.name] = value
    return section(**kwargs)


# -- the file -----------------------------------------------------------------------------------


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` of any schema version brought to :data:`SCHEMA_VERSION`."""
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SettingsError(["it has no schema version."])
    if version > SCHEMA_VERSION:
        raise SettingsError([f"it was written by a newer smtdesk (schema {version}, "
                             f"this one reads {SCHEMA_VERSION})."])
    if version < 1:
        raise SettingsError([f"schema version {version} does not exist."])
    data = dict(data)
    if version == 1:
        data = _funding_in_percent(data)
    data["schema_version"] = SCHEMA_VERSION
    return data


def _funding_in_percent(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 kept the funding thresholds as fractions per settlement; schema 2 keeps
    them in percent, as the dialog and domain.md write them."""
    signals = data.get("signals")
    if isinstance(signals, Mapping):
        signals = dict(signals)
        for old, new in (("funding_high", "funding_high_pct"), ("funding_low", "funding_low_pct")):
            if old in signals:
                value = signals.pop(old)
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
                signals[new] = value * 100.0 if ok else value
        data["signals"] = signals
    return data


@dataclass(frozen=True, slots=True)
class Loaded:
    settings: Settings
    problem: str | None = None
    """Why the file was not used, worded for the user; None when it was read or absent."""


def load_settings(path: Path) -> Loaded:
    """The settings saved at ``path``; the defaults when there are none.

    A file that cannot be read or holds invalid settings is renamed aside (so the next
    save does not overwrite what the user may want back) and the defaults are used.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Loaded(Settings())
    except (OSError, UnicodeDecodeError) as exc:
        return _set_aside(path, f"it could not be read ({exc})")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return _set_aside(path, f"it is not valid JSON (line {exc.lineno}: {exc.msg})")
    if not isinstance(data, dict):
        return _set_aside(path, "it does not hold a group of settings")
    try:
        return Loaded(Settings.from_dict(migrate(data)))
    except SettingsError as exc:
        return _set_aside(path, " ".join(exc.problems).rstrip("."))


def _set_aside(path: Path, reason: str) -> Loaded:
    aside = path.with_name(f"{path.stem}.invalid-{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}")
    try:
        path.replace(aside)
        kept = f"The file was kept as {aside}."
    except OSError as exc:
        kept = f"It could not be moved aside ({exc}) and will be overwritten when settings are saved."
    return Loaded(Settings(), f"The settings in {path} were not used: {reason}. "
                              f"smtdesk uses the default settings. {kept}")


def save_settings(path: Path, settings: Settings) -> None:
    """Write ``settings`` to ``path`` whole or not at all (a crash mid-write keeps the old file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(settings.to_dict(), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


# -- what the core takes ------------------------------------------------------------------------


def indicator_config(s: Settings) -> IndicatorConfig:
    i = s.indicators
    return IndicatorConfig(
        sma_periods=i.ma_periods,
        cross_fast=i.cross_fast,
        cross_slow=i.cross_slow,
        cross_volume_period=i.volume_mean,
        macd_fast=i.macd_fast,
        macd_slow=i.macd_slow,
        macd_signal=i.macd_signal,
        rsi_period=i.rsi_period,
        kdj_period=i.kdj_period,
        kdj_k_period=i.kdj_k,
        kdj_d_period=i.kdj_d,
        cci_period=i.cci_period,
        adx_period=i.adx_period,
        atr_period=s.smt.atr_period,
        mfi_period=i.mfi_period,
        bb_period=i.bb_period,
        bb_stddev=i.bb_stddev,
        bb_squeeze_period=i.squeeze_lookback,
    )


def smt_params(s: Settings) -> SmtParams:
    return SmtParams(
        major=s.swings.major_strength,
        minor=s.swings.minor_strength,
        mss_timeout=s.smt.mss_wait,
        atr_period=s.smt.atr_period,
        stop_atr=s.smt.stop_buffer_atr,
        corr_window=s.smt.correlation_window,
        corr_min=s.smt.correlation_min,
        account_size=s.risk.account_size,
        risk_pct=s.risk.risk_pct,
        pool_tolerance=s.swings.pool_tolerance_pct / 100.0,
    )


def indicator_signal_params(s: Settings) -> IndicatorSignalParams:
    i, g = s.indicators, s.signals
    return IndicatorSignalParams(
        rsi_levels=(i.rsi_oversold, 50.0, i.rsi_overbought),
        j_high=g.kdj_j_high,
        j_low=g.kdj_j_low,
        cci_levels=(-g.cci_level, 0.0, g.cci_level),
        adx_trend=i.adx_trending,
        failure_high=i.rsi_overbought,
        failure_low=i.rsi_oversold,
        failure_strength=g.failure_strength,
        failure_window=g.failure_window,
        overheat_tiers=(i.rsi_overbought, i.rsi_tier_2, i.rsi_tier_3),
        oversold_tiers=(i.rsi_oversold, 100.0 - i.rsi_tier_2, 100.0 - i.rsi_tier_3),
        funding_high=g.funding_high_pct / 100.0,
        funding_low=g.funding_low_pct / 100.0,
        ratio_high=g.ratio_high,
        ratio_low=g.ratio_low,
    )


def replace_section(s: Settings, name: str, **changes: Any) -> Settings:
    """``s`` with some fields of section ``name`` changed (checked like any new value)."""
    return replace(s, **{name: replace(getattr(s, name), **changes)})


def alert_policy(s: Settings) -> AlertPolicy:
    a = s.alerts
    states = {state for state in (State.FORMING, State.DIVERGENCE, State.CONFIRMED) if getattr(a, state.value)}
    muting = set()
    if a.mute_counter_trend and s.smt.htf_alignment:
        muting.add(COUNTER_TREND)
    if a.mute_weak_pair:
        muting.add(WEAK_PAIR)
    return AlertPolicy(
        states=frozenset(states | {State.TRIGGERED}),
        families=frozenset(f for f in FAMILIES if getattr(a, f)),
        muting_tags=frozenset(muting),
        min_reward_risk=s.risk.min_reward_risk,
    )


def model_config(s: Settings) -> ModelConfig:
    """Every threshold the pair model takes, from the user's settings."""
    return ModelConfig(
        smt=smt_params(s),
        indicators=indicator_config(s),
        signals=indicator_signal_params(s),
        alerts=alert_policy(s),
        max_bars=s.history.bars_kept,
    )
