"""Indicator and derivatives signals of domain §6, as one-shot ``TRIGGERED`` events.

Each detector looks at bars ``start .. N-1`` of columns that are complete up to ``N-1``
and reports the events that became known at those bars, so a full scan (``start=0``)
and a live update (``start`` = the first new bar) report exactly the same events.
A cross at bar k compares bars k-1 and k: crossing up means "at or below" then
"strictly above" (down mirrored), so touching a level is never a cross.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from smtdesk.core.candles import Candles, timeframe_ms
from smtdesk.core.derivative_signals import Derivatives, Series, derivative_readings
from smtdesk.core.indicator_columns import COLUMNS, IndicatorColumns
from smtdesk.core.signal import Direction, Signal
from smtdesk.core.signal_sink import Sink
from smtdesk.core.swings import SwingSet, pivots_in

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


def _bars(found: list[int]) -> np.ndarray:
    return np.array(found, np.int64) if found else _NO_BARS


def _crosses_many(
    pairs: list[tuple[np.ndarray, np.ndarray | float]], start: int
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """``(i, up, down)`` for each pair ``i`` (x, level) that crosses at least once in
    :func:`_crosses`'s terms; pairs without a cross are left out.

    A live update looks at a bar or two of each pair: their values are fetched in two
    array calls and compared as floats, instead of several array calls per pair. The
    comparisons are the same, so are the answers.
    """
    n = len(pairs[0][0])
    lo = max(start, 1)
    if lo >= n:
        return []
    if n - lo > 4:
        found = ((i, *_crosses(x, level, start)) for i, (x, level) in enumerate(pairs))
        return [f for f in found if len(f[1]) or len(f[2])]
    xs = np.array([x[lo - 1 :] for x, _ in pairs]).tolist()
    arrays = [lv[lo - 1 :] for _, lv in pairs if isinstance(lv, np.ndarray)]
    tails = iter(np.array(arrays).tolist() if arrays else ())
    out = []
    if n - lo == 1:
        # One new bar, the usual live case: one step per pair, written out.
        at = np.array([lo], np.int64)
        at.flags.writeable = False  # shared by the pairs that cross
        for i, ((x0, x1), (_, lv)) in enumerate(zip(xs, pairs)):
            l0, l1 = next(tails) if isinstance(lv, np.ndarray) else (lv, lv)
            if x0 <= l0 and x1 > l1:
                out.append((i, at, _NO_BARS))
            elif x0 >= l0 and x1 < l1:
                out.append((i, _NO_BARS, at))
        return out
    steps = range(n - lo)
    for i, (x, (_, lv)) in enumerate(zip(xs, pairs)):
        ls = next(tails) if isinstance(lv, np.ndarray) else [lv] * len(x)
        up = [lo + j for j in steps if x[j] <= ls[j] and x[j + 1] > ls[j + 1]]
        down = [lo + j for j in steps if x[j] >= ls[j] and x[j + 1] < ls[j + 1]]
        if up or down:
            out.append((i, _bars(up), _bars(down)))
    return out


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
    def column(name: str) -> np.ndarray:
        return c.close if name == "close" else cols[name]

    table = _cross_table(p)
    pairs = [(column(r.x), column(r.level) if isinstance(r.level, str) else r.level) for r in table]
    adx, pdi, mdi = cols["adx"], cols["pdi"], cols["mdi"]
    pairs.append((adx, p.adx_trend))
    for i, up, down in _crosses_many(pairs, start):
        if i == len(table):  # ADX: a trend start only, its side set by the leading DI
            if len(up):
                bull = pdi[up] > mdi[up]
                for bars, d, word in ((up[bull], BULL, "+DI"), (up[~bull], BEAR, "-DI")):
                    reason = f"ADX crossed above {p.adx_trend:g} with {word} leading"
                    series = {"adx": adx, "pdi": pdi, "mdi": mdi}
                    _emit(sink, "adx_trend_start", d, bars, reason, series)
            continue
        row, (x, level) = table[i], pairs[i]
        for side, bars in ((row.up, up), (row.down, down)):
            if side is not None and len(bars):
                kind, direction, reason, names = side
                # The second reported value is the level: the other line or the band.
                _emit(sink, kind, direction, bars, reason, dict(zip(names, (x, level))))
    lo = max(start, 1)
    if lo < len(c):
        squeeze = cols["bb_squeeze"][lo - 1 :]
        if len(squeeze) <= 5:  # a live bar or two: compared as floats, like the crosses
            sq = squeeze.tolist()
            starts = _bars([lo + i for i in range(len(sq) - 1) if sq[i + 1] > 0 and not sq[i] > 0])
        else:
            starts = np.flatnonzero((squeeze[1:] > 0) & ~(squeeze[:-1] > 0)) + lo
        _emit(sink, "bb_squeeze", FLAT, starts, "Bollinger bandwidth at its lowest of the lookback")
    cross = cols["ma_cross"][start:]
    if cross.any():
        for sign, d, word in ((1, BULL, "golden"), (-1, BEAR, "death")):
            bars = np.flatnonzero(cross == sign) + start
            confirmed = cols["ma_confirmed"][bars] > 0
            _emit(sink, "ma_cross", d, bars[confirmed], f"{word} cross, volume-confirmed")
            _emit(sink, "ma_cross", d, bars[~confirmed], f"{word} cross")


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
        for name, col in DIVERGENCE_OF.items():
            x = cols[col]
            weaker = sign * x[j2] < sign * x[j1]
            sel = weaker & ~np.isnan(x[j1]) & ~np.isnan(x[j2])
            sink.add(
                f"{name}_divergence",
                d,
                j2[sel],
                k2[sel],
                levels={
                    "price.prior": price[j1[sel]],
                    "price": price[j2[sel]],
                    f"{col}.prior": x[j1[sel]],
                    col: x[j2[sel]],
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


def _may_end_at_last(tail: list[float], sign: float, m: int, level: float) -> bool:
    """Whether a failure swing (top for ``sign=+1``) can become known at the last of the
    RSI values ``tail`` (a quick necessary test for a live bar; the scan decides).

    It becomes known when its second pivot, ``m`` bars back, is confirmed, or at its
    break. Every value from the first pivot up to the break is above the break value
    (the pivots above the trough, the rest not below it), and the first pivot is above
    ``level`` and more than ``m`` bars back; so a break needs such a value in the
    unbroken run of higher values just before it.
    """

    def value(x: float) -> float:  # as the scan sees it: NaN never beyond anything
        return -math.inf if math.isnan(x) else sign * x

    v = [value(x) for x in tail[-2 * m - 1 :]]
    centre = v[m]
    if centre > max(v[:m]) and centre >= max(v[m + 1 :]):
        return True
    # Walk back only through the run of higher values, usually a few bars.
    last, bar, latest_first = v[-1], len(tail) - 2, len(tail) - 2 - m
    while bar >= 0 and (x := value(tail[bar])) > last:
        if x > sign * level and bar <= latest_first:
            return True
        bar -= 1
    return False


def _failure_swings(sink: Sink, rsi: np.ndarray, start: int, p: IndicatorSignalParams):
    """Wilder failure swings: a top starts with an RSI pivot above ``failure_high``; RSI
    pulls back to a low, rallies to a lower pivot (within ``failure_lookback`` bars),
    then falls below that low within ``failure_window`` bars, never above the first
    pivot meanwhile. Bottoms mirrored. Known once the second pivot is confirmed."""
    m, w, back = p.failure_strength, p.failure_window, p.failure_lookback
    n = len(rsi)
    # Only pivots that can end in an event known from ``start`` matter; the slice keeps
    # a live update's cost independent of the history length.
    s0 = max(0, start - w - 2 * m - back)
    tail = rsi[s0:]
    one_new_bar = n - start == 1 and len(tail) >= 2 * m + 1
    values = tail.tolist() if one_new_bar else []
    for sign, d, level in ((1.0, BEAR, p.failure_high), (-1.0, BULL, p.failure_low)):
        if one_new_bar and not _may_end_at_last(values, sign, m, level):
            continue
        if not np.any(tail > level if sign > 0 else tail < level):
            continue  # no RSI beyond the level in reach: no swing can start
        v = np.where(np.isnan(tail), -np.inf, sign * tail)
        piv = pivots_in(v, strength=m, start=0)
        # Pairs of consecutive pivots whose second can still end in an event known from
        # ``start``; the pivots are ascending, so that is a suffix.
        i0 = max(int(np.searchsorted(piv, start - s0 - w - m)), 1)
        h1, h2 = piv[i0 - 1 : -1], piv[i0:]
        if not len(h2):
            continue
        v1 = v[h1]
        keep = (v1 > sign * level) & (v[h2] < v1) & (h2 - h1 <= back)
        h1, h2 = h1[keep], h2[keep]
        if not len(h1):
            continue
        bounds = np.empty(2 * len(h1), np.int64)
        bounds[0::2], bounds[1::2] = h1 + 1, h2
        trough = np.minimum.reduceat(v, bounds)[::2]
        win = h2[:, None] + np.arange(1, w + 1)
        vals = np.where(win < len(v), v[np.minimum(win, len(v) - 1)], np.inf)
        broke = vals < trough[:, None]
        first = np.argmax(broke, axis=1)
        upto = np.arange(w)[None, :] <= first[:, None]
        ok = broke.any(axis=1) & ~(upto & (vals > v[h1][:, None])).any(axis=1)
        k = h2 + 1 + first + s0
        known = np.maximum(k, h2 + s0 + m)
        sel = ok & (known >= start) & (known < n)
        name = "top" if sign > 0 else "bottom"
        sink.add(
            "rsi_failure_swing",
            d,
            k[sel],
            known[sel],
            levels={
                "rsi.first": rsi[h1[sel] + s0],
                "rsi.second": rsi[h2[sel] + s0],
                "rsi.failure": sign * trough[sel],
                "rsi": rsi[k[sel]],
            },
            reason=f"RSI failure swing {name}",
        )
