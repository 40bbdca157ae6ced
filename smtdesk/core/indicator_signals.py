"""Indicator and derivatives signals of domain §6, as one-shot ``TRIGGERED`` events.

Each detector looks at bars ``start .. N-1`` of columns that are complete up to ``N-1``
and reports the events that became known at those bars, so a full scan (``start=0``)
and a live update (``start`` = the first new bar) report exactly the same events.
A cross at bar k compares bars k-1 and k: crossing up means "at or below" then
"strictly above" (down mirrored), so touching a level is never a cross.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numba
import numpy as np

from smtdesk.core.arrays import read_only
from smtdesk.core.candles import Candles, timeframe_ms
from smtdesk.core.derivative_signals import Derivatives, Series, derivative_readings
from smtdesk.core.indicator_columns import COLUMNS, IndicatorColumns
from smtdesk.core.signal import Direction, Signal
from smtdesk.core.signal_sink import Sink
from smtdesk.core.swings import SwingSet

__all__ = [
    "COLUMNS",
    "Derivatives",
    "IndicatorColumns",
    "IndicatorSignalParams",
    "Series",
    "indicator_events",
    "indicator_sink",
]

BULL, BEAR, FLAT = Direction.BULLISH, Direction.BEARISH, Direction.NEUTRAL
DIVERGENCE_OF = {"rsi": "rsi", "macd": "dif", "kdj": "k", "cci": "cci", "obv": "obv", "mfi": "mfi"}


@dataclass(frozen=True, slots=True)
class IndicatorSignalParams:
    """Levels and thresholds of domain §6 (defaults in brackets there)."""

    rsi_levels: tuple[float, ...] = (30.0, 50.0, 70.0)
    j_high: float = 100.0
    j_low: float = 0.0
    cci_levels: tuple[float, ...] = (-100.0, 0.0, 100.0)
    adx_trend: float = 25.0
    failure_high: float = 70.0  # Wilder top failure swing starts above this RSI
    failure_low: float = 30.0
    failure_strength: int = 2  # RSI swing strength of the failure-swing pivots
    failure_window: int = 20  # bars after the second pivot within which the break must come
    failure_lookback: int = 60  # most bars between the two pivots
    overheat_tiers: tuple[float, float, float] = (70.0, 80.0, 90.0)
    oversold_tiers: tuple[float, float, float] = (30.0, 20.0, 10.0)
    funding_high: float = 0.0003  # 0.03 % per settlement, as a fraction
    funding_low: float = -0.0001
    ratio_high: float = 2.0
    ratio_low: float = 0.7
    flow_lookback: int = 4  # bars over which OI and ratio changes are read
    # Signal kinds to report ("rsi_cross_70", "kdj_cross", ...); None reports every kind.
    # Each event is a Python object, so leaving out unwanted kinds is the cheap speed-up.
    kinds: frozenset[str] | None = None


def _crosses(x: np.ndarray, level: np.ndarray | float, start: int) -> tuple[np.ndarray, np.ndarray]:
    """Bars k >= max(start, 1) where ``x`` crosses ``level`` up, and where it crosses down."""
    lo = max(start, 1)
    if lo >= len(x):
        return _NO_BARS, _NO_BARS
    lv_arr = isinstance(level, np.ndarray)
    prev, cur = x[lo - 1 : -1], x[lo:]
    lv_prev = level[lo - 1 : -1] if lv_arr else level
    lv = level[lo:] if lv_arr else level
    up = (prev <= lv_prev) & (cur > lv)
    down = (prev >= lv_prev) & (cur < lv)
    return np.flatnonzero(up) + lo, np.flatnonzero(down) + lo


_NO_BARS = np.empty(0, np.int64)
_NO_BARS.flags.writeable = False  # shared by every empty answer


def indicator_events(
    cols: Mapping[str, np.ndarray],
    c: Candles,
    *,
    asset: str,
    timeframe: str,
    swing_highs: SwingSet,
    swing_lows: SwingSet,
    start: int = 0,
    params: IndicatorSignalParams = IndicatorSignalParams(),
    derivatives: Derivatives | None = None,
) -> list[Signal]:
    """Every §6 event of one asset known at bars ``start .. len(c)-1``, ordered by known bar."""
    return indicator_sink(
        cols,
        c,
        asset=asset,
        timeframe=timeframe,
        swing_highs=swing_highs,
        swing_lows=swing_lows,
        start=start,
        params=params,
        derivatives=derivatives,
    ).signals()


def indicator_sink(
    cols: Mapping[str, np.ndarray],
    c: Candles,
    *,
    asset: str,
    timeframe: str,
    swing_highs: SwingSet,
    swing_lows: SwingSet,
    start: int = 0,
    params: IndicatorSignalParams = IndicatorSignalParams(),
    derivatives: Derivatives | None = None,
) -> Sink:
    """The events of :func:`indicator_events`, collected but not yet built or ordered
    (for merging several assets' events in one pass)."""
    p = params
    sink = Sink(asset, timeframe, c.time, kinds=p.kinds)
    # NaN warm-up values compare False everywhere, which is what every detector wants.
    with np.errstate(invalid="ignore"):
        _level_crosses(sink, cols, c, start, p)
        _divergences(sink, cols, c, swing_highs, swing_lows, start)
        _failure_swings(sink, cols["rsi"], start, p)
        if derivatives is not None:
            close_time = c.time + timeframe_ms(timeframe)
            derivative_readings(sink, cols["rsi"], c, close_time, derivatives, start, p)
    return sink


def _emit(sink: Sink, kind: str, direction: Direction, bars, reason: str, series=None):
    """``sink.add`` with each level read from its full ``series`` at ``bars``.

    Most detectors find nothing on a live bar; checking first skips building the level
    arrays and the call for them.
    """
    if len(bars):
        levels = {name: values[bars] for name, values in (series or {}).items()}
        sink.add(kind, direction, bars, levels=levels, reason=reason)


@dataclass(frozen=True, slots=True)
class _Cross:
    """One line-or-level cross and the events it gives: ``x`` crossing ``level`` (a
    number or another column) upward and downward; a side without an event is None.
    Each side is (kind, direction, reason, level names reported with it)."""

    x: str
    level: float | str
    up: tuple[str, Direction, str, tuple[str, ...]] | None
    down: tuple[str, Direction, str, tuple[str, ...]] | None


@lru_cache(maxsize=16)
def _cross_table(p: IndicatorSignalParams) -> tuple[_Cross, ...]:
    """Every cross the level detector reports, built once per parameter set (its names
    and reasons are the same on every bar)."""
    rows = []
    for lv in p.rsi_levels:
        kind = f"rsi_cross_{lv:g}"
        up = (kind, BULL, f"RSI crossed above {lv:g}", ("rsi",))
        rows.append(_Cross("rsi", lv, up, (kind, BEAR, f"RSI crossed below {lv:g}", ("rsi",))))
    for kind, a, b, label in (
        ("kdj_cross", "k", "d", "K crossed D"),
        ("macd_cross", "dif", "dea", "DIF crossed DEA"),
    ):
        up = (kind, BULL, label.replace("crossed", "crossed above"), (a, b))
        rows.append(
            _Cross(a, b, up, (kind, BEAR, label.replace("crossed", "crossed below"), (a, b)))
        )
    rows.append(
        _Cross(
            "dif",
            0.0,
            ("macd_zero", BULL, "DIF crossed above zero", ("dif",)),
            ("macd_zero", BEAR, "DIF crossed below zero", ("dif",)),
        )
    )
    j_up = ("kdj_j_extreme", BEAR, f"J above {p.j_high:g} (overbought)", ("j",))
    rows.append(_Cross("j", p.j_high, j_up, None))
    j_down = ("kdj_j_extreme", BULL, f"J below {p.j_low:g} (oversold)", ("j",))
    rows.append(_Cross("j", p.j_low, None, j_down))
    for lv in p.cci_levels:
        kind = f"cci_cross_{lv:g}"
        up = (kind, BULL, f"CCI crossed above {lv:g}", ("cci",))
        rows.append(_Cross("cci", lv, up, (kind, BEAR, f"CCI crossed below {lv:g}", ("cci",))))
    up = ("bb_outside", BULL, "close above the upper band", ("close", "band"))
    rows.append(_Cross("close", "bb_upper", up, None))
    down = ("bb_outside", BEAR, "close below the lower band", ("close", "band"))
    rows.append(_Cross("close", "bb_lower", None, down))
    return tuple(rows)


def _level_crosses(
    sink: Sink, cols: Mapping[str, np.ndarray], c: Candles, start: int, p: IndicatorSignalParams
):
    lo = max(start, 1)
    if lo >= len(c):
        return
    if start == len(c) - 1:
        _last_bar_crosses(sink, cols, c, p)
        return

    def column(name: str) -> np.ndarray:
        return c.close if name == "close" else cols[name]

    for row in _cross_table(p):
        x = column(row.x)
        level = column(row.level) if isinstance(row.level, str) else row.level
        up, down = _crosses(x, level, start)
        for side, bars in ((row.up, up), (row.down, down)):
            if side is not None and len(bars):
                kind, direction, reason, names = side
                # The second reported value is the level: the other line or the band.
                _emit(sink, kind, direction, bars, reason, dict(zip(names, (x, level))))
    _adx_trend_starts(sink, cols, _crosses(cols["adx"], p.adx_trend, start)[0], p)
    squeeze = cols["bb_squeeze"][lo - 1 :]
    starts = np.flatnonzero((squeeze[1:] > 0) & ~(squeeze[:-1] > 0)) + lo
    _emit(sink, "bb_squeeze", FLAT, starts, _SQUEEZE_REASON)
    cross = cols["ma_cross"][start:]
    if cross.any():
        for sign, d, word in ((1, BULL, "golden"), (-1, BEAR, "death")):
            bars = np.flatnonzero(cross == sign) + start
            confirmed = cols["ma_confirmed"][bars] > 0
            _emit(sink, "ma_cross", d, bars[confirmed], f"{word} cross, volume-confirmed")
            _emit(sink, "ma_cross", d, bars[~confirmed], f"{word} cross")


_SQUEEZE_REASON = "Bollinger bandwidth at its lowest of the lookback"


def _adx_trend_starts(sink: Sink, cols, up: np.ndarray, p: IndicatorSignalParams):
    """ADX crossing up through the trend level: a trend start, its side set by the leading DI."""
    if not len(up):
        return
    adx, pdi, mdi = cols["adx"], cols["pdi"], cols["mdi"]
    bull = pdi[up] > mdi[up]
    for bars, d, word in ((up[bull], BULL, "+DI"), (up[~bull], BEAR, "-DI")):
        reason = f"ADX crossed above {p.adx_trend:g} with {word} leading"
        _emit(sink, "adx_trend_start", d, bars, reason, {"adx": adx, "pdi": pdi, "mdi": mdi})


@lru_cache(maxsize=16)
def _last_bar_columns(p: IndicatorSignalParams) -> tuple[str, ...]:
    """The columns :func:`_last_bar_crosses` reads: every line and level of the cross
    table, and those of the ADX, squeeze and moving-average events."""
    names = {r.x for r in _cross_table(p)} | {r.level for r in _cross_table(p) if isinstance(r.level, str)}
    names |= {"adx", "bb_squeeze", "ma_cross", "ma_confirmed"}
    return tuple(sorted(names - {"close"}))


def _last_bar_crosses(sink: Sink, cols: Mapping[str, np.ndarray], c: Candles, p):
    """:func:`_level_crosses` for one new bar, the live case: the same comparisons on
    two floats per column, read in one pass, instead of array calls per cross."""
    k = len(c) - 1
    prev: dict[str, float] = {"close": float(c.close[k - 1])}
    cur: dict[str, float] = {"close": float(c.close[k])}
    for name in _last_bar_columns(p):
        prev[name], cur[name] = cols[name][k - 1 : k + 1].tolist()
    at = np.array([k], np.int64)

    def column(name: str) -> np.ndarray:
        return c.close if name == "close" else cols[name]

    for row in _cross_table(p):
        x0, x1 = prev[row.x], cur[row.x]
        if isinstance(row.level, str):
            l0, l1 = prev[row.level], cur[row.level]
        else:
            l0 = l1 = row.level
        if x0 <= l0 and x1 > l1:
            side = row.up
        elif x0 >= l0 and x1 < l1:
            side = row.down
        else:
            continue
        if side is not None:
            kind, direction, reason, names = side
            level = column(row.level) if isinstance(row.level, str) else row.level
            _emit(sink, kind, direction, at, reason, dict(zip(names, (column(row.x), level))))
    if prev["adx"] <= p.adx_trend < cur["adx"]:
        _adx_trend_starts(sink, cols, at, p)
    if cur["bb_squeeze"] > 0 and not prev["bb_squeeze"] > 0:
        _emit(sink, "bb_squeeze", FLAT, at, _SQUEEZE_REASON)
    cross = cur["ma_cross"]
    if cross == 1 or cross == -1:
        d, word = (BULL, "golden") if cross == 1 else (BEAR, "death")
        extra = ", volume-confirmed" if cur["ma_confirmed"] > 0 else ""
        _emit(sink, "ma_cross", d, at, f"{word} cross{extra}")




def _divergences(sink: Sink, cols, c: Candles, highs: SwingSet, lows: SwingSet, start: int):
    """Regular divergences at consecutive price swings, and volume-price divergence."""
    last = len(c) - 1
    for swings, price, d in ((highs, c.high, BEAR), (lows, c.low, BULL)):
        j2, k2 = swings.known_between(start, last)
        if not len(j2):
            continue
        j1 = swings.latest_before(j2, k2)
        ok = j1 >= 0
        j1, j2, k2 = j1[ok], j2[ok], k2[ok]
        sign = 1.0 if d is BEAR else -1.0
        beyond = sign * price[j2] > sign * price[j1]  # a higher high (lower low)
        j1, j2, k2 = j1[beyond], j2[beyond], k2[beyond]
        word = "higher high" if d is BEAR else "lower low"
        # Every indicator at both swings in one pass (a row each), then one test for all:
        # a live bar usually has one swing pair, where array calls dominate.
        at1 = np.array([cols[col][j1] for col in DIVERGENCE_OF.values()])
        at2 = np.array([cols[col][j2] for col in DIVERGENCE_OF.values()])
        weaker = sign * at2 < sign * at1  # False where either is NaN
        for row, (name, col) in enumerate(DIVERGENCE_OF.items()):
            sel = weaker[row]
            if not sel.any():
                continue
            sink.add(
                f"{name}_divergence",
                d,
                j2[sel],
                k2[sel],
                levels={
                    "price.prior": price[j1[sel]],
                    "price": price[j2[sel]],
                    f"{col}.prior": at1[row][sel],
                    col: at2[row][sel],
                },
                reason=f"price made a {word}, {name.upper()} did not",
            )
        if d is BEAR:
            lower_volume = c.volume[j2] < c.volume[j1]
            sink.add(
                "volume_divergence",
                BEAR,
                j2[lower_volume],
                k2[lower_volume],
                levels={
                    "price.prior": price[j1[lower_volume]],
                    "price": price[j2[lower_volume]],
                    "volume.prior": c.volume[j1[lower_volume]],
                    "volume": c.volume[j2[lower_volume]],
                },
                reason="price made a higher high on lower volume",
            )


def _failure_swings(sink: Sink, rsi: np.ndarray, start: int, p: IndicatorSignalParams):
    """Wilder failure swings: a top starts with an RSI pivot above ``failure_high``; RSI
    pulls back to a low, rallies to a lower pivot (within ``failure_lookback`` bars),
    then falls below that low within ``failure_window`` bars, never above the first
    pivot meanwhile. Bottoms mirrored. Known once the second pivot is confirmed."""
    m, w, back = p.failure_strength, p.failure_window, p.failure_lookback
    # Only pivots that can end in an event known from ``start`` matter; starting there
    # keeps a live update's cost independent of the history length.
    s0 = max(0, start - w - 2 * m - back)
    rsi = read_only(np.asarray(rsi, np.float64))  # a full scan's column or the live buffer's
    for sign, d, level in ((1.0, BEAR, p.failure_high), (-1.0, BULL, p.failure_low)):
        k, known, first, second, trough = _failure_swing_scan(
            rsi, s0, start, sign, float(level), m, w, back
        )
        if not len(k):
            continue
        name = "top" if sign > 0 else "bottom"
        sink.add(
            "rsi_failure_swing",
            d,
            k,
            known,
            levels={
                "rsi.first": rsi[first],
                "rsi.second": rsi[second],
                "rsi.failure": sign * trough,
                "rsi": rsi[k],
            },
            reason=f"RSI failure swing {name}",
        )


@numba.njit(cache=True, nogil=True)
def _failure_swing_scan(rsi, s0, start, sign, level, m, w, back):
    """Failure swings (tops for ``sign=+1``) among the RSI pivots from bar ``s0`` that
    become known at bars ``start ..``: their break bar, known bar, first and second
    pivot bars and the signed trough between the pivots."""
    n = len(rsi)
    size = n - s0
    v = np.empty(size)
    for i in range(size):
        x = rsi[s0 + i]
        v[i] = -np.inf if np.isnan(x) else sign * x  # NaN is never beyond anything
    piv = np.empty(size, np.int64)
    npiv = 0
    for i in range(m, size - m):
        ok = True
        for j in range(i - m, i):
            ok &= v[i] > v[j]
        for j in range(i + 1, i + m + 1):
            ok &= v[i] >= v[j]
        piv[npiv] = i
        npiv += ok
    # Pairs of consecutive pivots whose second can still end in an event known from
    # ``start``; the pivots ascend, so that is a suffix.
    first_useful = start - s0 - w - m
    i0 = 1
    while i0 < npiv and piv[i0] < first_useful:
        i0 += 1
    out_k = np.empty(max(npiv - i0, 0), np.int64)
    out_known = np.empty_like(out_k)
    out_first = np.empty_like(out_k)
    out_second = np.empty_like(out_k)
    out_trough = np.empty(len(out_k))
    count = 0
    for i in range(i0, npiv):
        h1, h2 = piv[i - 1], piv[i]
        v1 = v[h1]
        if not (v1 > sign * level and v[h2] < v1 and h2 - h1 <= back):
            continue
        trough = np.inf
        for j in range(h1 + 1, h2):
            trough = min(trough, v[j])
        brk = -1
        for j in range(h2 + 1, min(h2 + w + 1, size)):
            if v[j] > v1:
                break
            if v[j] < trough:
                brk = j
                break
        if brk < 0:
            continue
        k = brk + s0
        known = max(k, h2 + s0 + m)
        if known < start or known >= n:
            continue
        out_k[count], out_known[count] = k, known
        out_first[count], out_second[count] = h1 + s0, h2 + s0
        out_trough[count] = trough
        count += 1
    return (
        out_k[:count], out_known[:count], out_first[:count], out_second[:count],
        out_trough[:count],
    )
