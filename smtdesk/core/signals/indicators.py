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
from smtdesk.core.signals.derivatives import Derivatives, Series, derivative_readings
from smtdesk.core.signals.columns import COLUMNS, IndicatorColumns
from smtdesk.core.signal import Direction
from smtdesk.core.signals.sink import Sink
from smtdesk.core.structure.swings import SwingSet

__all__ = [
    "COLUMNS",
    "Derivatives",
    "IndicatorColumns",
    "IndicatorSignalParams",
    "Series",
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
    failure_window: int = 20  # bars after the failure point's confirmation to break it
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
_NO_TAGS: frozenset[str] = frozenset()
EXIT = frozenset({"exit"})
"""Tag of a cross leaving an extreme zone back toward the midline (domain §6a rule 2)."""
_MIDLINE = {"rsi": 50.0, "cci": 0.0}


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
    """Every §6 event of one asset known at bars ``start .. len(c)-1``, collected but not
    yet built or ordered (for merging several assets' events in one pass)."""
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


def _emit(
    sink: Sink, kind: str, direction: Direction, bars, reason: str, series=None, tags=_NO_TAGS
):
    """``sink.add`` with each level read from its full ``series`` at ``bars``.

    Most detectors find nothing on a live bar; checking first skips building the level
    arrays and the call for them.
    """
    if len(bars):
        levels = {name: values[bars] for name, values in (series or {}).items()}
        sink.add(kind, direction, bars, levels=levels, reason=reason, tags=tags)


_Side = tuple[str, Direction, str, tuple[str, ...], frozenset[str]]


@dataclass(frozen=True, slots=True)
class _Cross:
    """One line-or-level cross and the events it gives: ``x`` crossing ``level`` (a
    number or another column) upward and downward; a side without an event is None.
    Each side is (kind, direction, reason, level names reported with it, tags)."""

    x: str
    level: float | str
    up: _Side | None
    down: _Side | None


def _level_cross(x: str, label: str, lv: float) -> _Cross:
    """An oscillator crossing a fixed level either way; leaving the zone beyond a level
    (down from above the midline, up from below it) is an exit."""
    kind, mid = f"{x}_cross_{lv:g}", _MIDLINE[x]
    up = (kind, BULL, f"{label} crossed above {lv:g}", (x,), EXIT if lv < mid else _NO_TAGS)
    down = (kind, BEAR, f"{label} crossed below {lv:g}", (x,), EXIT if lv > mid else _NO_TAGS)
    return _Cross(x, lv, up, down)


@lru_cache(maxsize=16)
def _cross_table(p: IndicatorSignalParams) -> tuple[_Cross, ...]:
    """Every cross the level detector reports, built once per parameter set (its names
    and reasons are the same on every bar)."""
    rows = [_level_cross("rsi", "RSI", lv) for lv in p.rsi_levels]
    for kind, a, b, label in (
        ("kdj_cross", "k", "d", "K crossed D"),
        ("macd_cross", "dif", "dea", "DIF crossed DEA"),
    ):
        up = (kind, BULL, label.replace("crossed", "crossed above"), (a, b), _NO_TAGS)
        down = (kind, BEAR, label.replace("crossed", "crossed below"), (a, b), _NO_TAGS)
        rows.append(_Cross(a, b, up, down))
    rows.append(
        _Cross(
            "dif",
            0.0,
            ("macd_zero", BULL, "DIF crossed above zero", ("dif",), _NO_TAGS),
            ("macd_zero", BEAR, "DIF crossed below zero", ("dif",), _NO_TAGS),
        )
    )
    j_up = ("kdj_j_extreme", BEAR, f"J above {p.j_high:g} (overbought)", ("j",), _NO_TAGS)
    rows.append(_Cross("j", p.j_high, j_up, None))
    j_down = ("kdj_j_extreme", BULL, f"J below {p.j_low:g} (oversold)", ("j",), _NO_TAGS)
    rows.append(_Cross("j", p.j_low, None, j_down))
    rows += [_level_cross("cci", "CCI", lv) for lv in p.cci_levels]
    up = ("bb_outside", BULL, "close above the upper band", ("close", "band"), _NO_TAGS)
    rows.append(_Cross("close", "bb_upper", up, None))
    down = ("bb_outside", BEAR, "close below the lower band", ("close", "band"), _NO_TAGS)
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
                kind, direction, reason, names, tags = side
                # The second reported value is the level: the other line or the band.
                _emit(sink, kind, direction, bars, reason, dict(zip(names, (x, level))), tags)
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
    # Equal DIs lead neither way: no event (domain §6a rule 5).
    bull, bear = pdi[up] > mdi[up], mdi[up] > pdi[up]
    for bars, d, word in ((up[bull], BULL, "+DI"), (up[bear], BEAR, "-DI")):
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
            kind, direction, reason, names, tags = side
            level = column(row.level) if isinstance(row.level, str) else row.level
            series = dict(zip(names, (column(row.x), level)))
            _emit(sink, kind, direction, at, reason, series, tags)
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
                level_bars={"price.prior": j1[sel], f"{col}.prior": j1[sel]},
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
                level_bars={"price.prior": j1[lower_volume], "volume.prior": j1[lower_volume]},
            )


def _failure_swings(sink: Sink, rsi: np.ndarray, start: int, p: IndicatorSignalParams):
    """Wilder failure swings (domain §6b): a top is an RSI swing high P above
    ``failure_high``, the first RSI swing low F after it, and the first later bar B below
    RSI[F], within ``failure_window`` bars of F's confirmation and with RSI never above
    RSI[P] from P on. Bottoms mirrored. Known at the break bar B."""
    m, w = p.failure_strength, p.failure_window
    rsi = read_only(np.asarray(rsi, np.float64))  # a full scan's column or the live buffer's
    for sign, d, level in ((1.0, BEAR, p.failure_high), (-1.0, BULL, p.failure_low)):
        brk, peak, fail, rally = _failure_swing_scan(rsi, start, sign, sign * level, m, w)
        if not len(brk):
            continue
        name = "top" if sign > 0 else "bottom"
        sink.add(
            "rsi_failure_swing",
            d,
            brk,
            levels={
                "rsi.peak": rsi[peak],
                "rsi.failure": rsi[fail],
                "rsi.rally": rsi[rally],
                "rsi": rsi[brk],
            },
            reason=f"RSI failure swing {name}",
            level_bars={"rsi.peak": peak, "rsi.failure": fail, "rsi.rally": rally},
            id_bars=peak,
        )


@numba.njit(cache=True, nogil=True)
def _is_swing(rsi, i, m, sign):
    """Bar ``i`` is a swing high of ``sign * rsi`` with strength ``m`` (domain §4): above
    each of the ``m`` bars before, not below any of the ``m`` after. NaN (warm-up) bars
    are neither swings nor neighbours."""
    if i - m < 0 or i + m >= len(rsi) or np.isnan(rsi[i]):
        return False
    x = sign * rsi[i]
    for j in range(i - m, i + m + 1):
        y = sign * rsi[j]
        if np.isnan(y) or (j < i and not x > y) or (j > i and x < y):
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _failure_swing_scan(rsi, start, sign, level, m, w):
    """Failure swings (tops for ``sign=+1``, read on ``sign * rsi``) whose break bar is
    at ``start`` or later: break, peak, failure and rally-high bars, ascending by break.

    A failure point F fixes the break bar (the first bar after F + m below F, if within
    the window); a peak P before F qualifies when F is the first swing low after it,
    P is above ``level`` and nothing from P + 1 to the break rose above P. Of the peaks
    breaking on one bar the latest wins: failure points are visited by ascending bar and
    a later F's peaks are all later. A live update costs the window plus the walk back
    to the previous swing low, not the history.
    """
    n = len(rsi)
    lo = max(start, 0)
    size = max(n - lo, 0)
    out_p = np.full(size, -1, np.int64)  # by break bar - lo: its peak, failure, rally
    out_f = np.empty(size, np.int64)
    out_r = np.empty(size, np.int64)
    for f in range(max(lo - m - w, 0), n - m - 1):
        if not _is_swing(rsi, f, m, -sign):
            continue
        vf = sign * rsi[f]
        brk = -1
        for j in range(f + m + 1, min(f + m + w + 1, n)):
            if sign * rsi[j] < vf:
                brk = j
                break
        if brk < lo:
            continue
        # Walk back from F to the previous swing low: the swing highs met are the peaks
        # whose first swing low is F; the first qualifying one met is the latest.
        top = -np.inf  # highest reading on q + 1 .. brk
        for j in range(f, brk + 1):
            top = max(top, sign * rsi[j])
        peak = -1
        q = f - 1
        while q >= 0 and not _is_swing(rsi, q, m, -sign):
            vq = sign * rsi[q]
            if vq > level and vq >= top and _is_swing(rsi, q, m, sign):
                peak = q
                break
            top = max(top, vq)
            q -= 1
        if peak < 0:
            continue
        rally = f + 1
        for j in range(f + 2, brk):
            if sign * rsi[j] > sign * rsi[rally]:
                rally = j
        out_p[brk - lo], out_f[brk - lo], out_r[brk - lo] = peak, f, rally
    keep = np.flatnonzero(out_p >= 0)
    return keep + lo, out_p[keep], out_f[keep], out_r[keep]
