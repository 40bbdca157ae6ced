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
    n = len(x)
    if lo >= n:
        return _NO_BARS, _NO_BARS
    lv_arr = isinstance(level, np.ndarray)
    if n - lo <= 4:
        # A live update sees a bar or two: plain floats beat a dozen tiny array calls.
        xs = x[lo - 1 :].tolist()
        ls = level[lo - 1 :].tolist() if lv_arr else [level] * len(xs)
        up = [lo + i for i in range(len(xs) - 1) if xs[i] <= ls[i] and xs[i + 1] > ls[i + 1]]
        down = [lo + i for i in range(len(xs) - 1) if xs[i] >= ls[i] and xs[i + 1] < ls[i + 1]]
        return (
            np.array(up, np.int64) if up else _NO_BARS,
            np.array(down, np.int64) if down else _NO_BARS,
        )
    prev, cur = x[lo - 1 : -1], x[lo:]
    lv_prev = level[lo - 1 : -1] if lv_arr else level
    lv = level[lo:] if lv_arr else level
    up = (prev <= lv_prev) & (cur > lv)
    down = (prev >= lv_prev) & (cur < lv)
    return np.flatnonzero(up) + lo, np.flatnonzero(down) + lo


_NO_BARS = np.empty(0, np.int64)
_NO_BARS.flags.writeable = False  # shared by every empty answer


def _crosses_many(
    pairs: list[tuple[np.ndarray, np.ndarray | float]], start: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`_crosses` of each ``(x, level)`` pair.

    A live update looks at a bar or two of each pair: comparing all pairs in one small
    block costs a few array calls instead of a few per pair. The comparisons are the
    same, so are the answers.
    """
    n = len(pairs[0][0])
    lo = max(start, 1)
    if lo >= n or n - lo > 4:
        return [_crosses(x, level, start) for x, level in pairs]
    width = n - lo + 1
    xs = np.array([x[lo - 1 :] for x, _ in pairs])
    ls = np.array(
        [lv[lo - 1 :] if isinstance(lv, np.ndarray) else (lv,) * width for _, lv in pairs],
        np.float64,
    )
    up = (xs[:, :-1] <= ls[:, :-1]) & (xs[:, 1:] > ls[:, 1:])
    down = (xs[:, :-1] >= ls[:, :-1]) & (xs[:, 1:] < ls[:, 1:])
    out = [(_NO_BARS, _NO_BARS)] * len(pairs)
    for row in np.flatnonzero(up.any(axis=1) | down.any(axis=1)).tolist():
        out[row] = (np.flatnonzero(up[row]) + lo, np.flatnonzero(down[row]) + lo)
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


def _level_crosses(
    sink: Sink, cols: Mapping[str, np.ndarray], c: Candles, start: int, p: IndicatorSignalParams
):
    rsi, dif, j, cci, close = cols["rsi"], cols["dif"], cols["j"], cols["cci"], c.close
    adx, pdi, mdi = cols["adx"], cols["pdi"], cols["mdi"]
    lines = (
        ("kdj_cross", "k", "d", "K crossed D"),
        ("macd_cross", "dif", "dea", "DIF crossed DEA"),
    )
    pairs = [
        *((rsi, level) for level in p.rsi_levels),
        *((cols[a], cols[b]) for _, a, b, _ in lines),
        (dif, 0.0),
        (j, p.j_high),
        (j, p.j_low),
        *((cci, level) for level in p.cci_levels),
        (adx, p.adx_trend),
        (close, cols["bb_upper"]),
        (close, cols["bb_lower"]),
    ]
    found = iter(_crosses_many(pairs, start))
    for level in p.rsi_levels:
        up, down = next(found)
        kind = f"rsi_cross_{level:g}"
        _emit(sink, kind, BULL, up, f"RSI crossed above {level:g}", {"rsi": rsi})
        _emit(sink, kind, BEAR, down, f"RSI crossed below {level:g}", {"rsi": rsi})
    for name, a, b, label in lines:
        up, down = next(found)
        for bars, d, word in ((up, BULL, "above"), (down, BEAR, "below")):
            reason = label.replace("crossed", f"crossed {word}")
            _emit(sink, name, d, bars, reason, {a: cols[a], b: cols[b]})
    up, down = next(found)
    _emit(sink, "macd_zero", BULL, up, "DIF crossed above zero", {"dif": dif})
    _emit(sink, "macd_zero", BEAR, down, "DIF crossed below zero", {"dif": dif})
    up, _ = next(found)
    _emit(sink, "kdj_j_extreme", BEAR, up, f"J above {p.j_high:g} (overbought)", {"j": j})
    _, down = next(found)
    _emit(sink, "kdj_j_extreme", BULL, down, f"J below {p.j_low:g} (oversold)", {"j": j})
    for level in p.cci_levels:
        up, down = next(found)
        kind = f"cci_cross_{level:g}"
        _emit(sink, kind, BULL, up, f"CCI crossed above {level:g}", {"cci": cci})
        _emit(sink, kind, BEAR, down, f"CCI crossed below {level:g}", {"cci": cci})
    up, _ = next(found)
    if len(up):
        bull = pdi[up] > mdi[up]
        for bars, d, word in ((up[bull], BULL, "+DI"), (up[~bull], BEAR, "-DI")):
            reason = f"ADX crossed above {p.adx_trend:g} with {word} leading"
            _emit(sink, "adx_trend_start", d, bars, reason, {"adx": adx, "pdi": pdi, "mdi": mdi})
    up, _ = next(found)
    _, down = next(found)
    squeeze = cols["bb_squeeze"]
    lo = max(start, 1)
    starts = (
        np.flatnonzero((squeeze[lo:] > 0) & ~(squeeze[lo - 1 : -1] > 0)) + lo
        if lo < len(squeeze)
        else _NO_BARS
    )
    _emit(sink, "bb_squeeze", FLAT, starts, "Bollinger bandwidth at its lowest of the lookback")
    band = {"close": close, "band": cols["bb_upper"]}
    _emit(sink, "bb_outside", BULL, up, "close above the upper band", band)
    band = {"close": close, "band": cols["bb_lower"]}
    _emit(sink, "bb_outside", BEAR, down, "close below the lower band", band)
    cross = cols["ma_cross"][start:]
    for sign, d, word in ((1, BULL, "golden"), (-1, BEAR, "death")):
        bars = np.flatnonzero(cross == sign) + start
        if len(bars):
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
    for sign, d, level in ((1.0, BEAR, p.failure_high), (-1.0, BULL, p.failure_low)):
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
