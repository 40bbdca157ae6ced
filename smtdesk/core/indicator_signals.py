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
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from smtdesk.core.candles import Candles, timeframe_ms
from smtdesk.core.indicators import IndicatorConfig, IndicatorSet, compute_indicators
from smtdesk.core.indicators._common import Bar
from smtdesk.core.signal import Direction, Signal, State
from smtdesk.core.swings import SwingSet, find_swings

BULL, BEAR, FLAT = Direction.BULLISH, Direction.BEARISH, Direction.NEUTRAL

# Indicators the detectors read; the moving-average list is trimmed to the cross's pair.
INDICATOR_CONFIG = IndicatorConfig(sma_periods=(), ema_periods=())
COLUMNS = (
    "rsi",
    "dif",
    "dea",
    "k",
    "d",
    "j",
    "cci",
    "adx",
    "pdi",
    "mdi",
    "obv",
    "mfi",
    "bb_upper",
    "bb_lower",
    "bb_squeeze",
    "ma_cross",
    "ma_confirmed",
)
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


@dataclass(frozen=True, slots=True)
class Series:
    """Observations of one derivatives series: UTC times in ms (ascending) and values.

    ``time`` is when a value was observed (became public); a bar reads the latest value
    observed at or before its close.
    """

    time: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]

    def at(self, when: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The latest value observed at or before each time in ``when``; NaN before the first."""
        i = (
            np.searchsorted(
                np.asarray(self.time, np.int64), np.asarray(when, np.int64), side="right"
            )
            - 1
        )
        value = np.asarray(self.value, np.float64)
        if not len(value):
            return np.full(np.shape(i), np.nan)
        return np.where(i >= 0, value[np.maximum(i, 0)], np.nan)


@dataclass(frozen=True, slots=True)
class Derivatives:
    """Optional derivatives inputs of one asset; funding as a fraction per settlement."""

    funding: Series | None = None
    open_interest: Series | None = None
    account_ratio: Series | None = None  # global long/short account ratio
    top_account_ratio: Series | None = None
    top_position_ratio: Series | None = None


class IndicatorColumns:
    """The indicator columns of one asset over a history, grown one closed bar at a time."""

    def __init__(self) -> None:
        self._cols: dict[str, np.ndarray] = {name: np.empty(0) for name in COLUMNS}
        self._n = 0
        self._set: IndicatorSet | None = None
        self._history: Candles = Candles.empty()

    def run(self, c: Candles) -> None:
        d = compute_indicators(c.high, c.low, c.close, c.volume, config=INDICATOR_CONFIG)
        cols = {
            "rsi": d["rsi"],
            "dif": d["macd"].dif,
            "dea": d["macd"].dea,
            "k": d["kdj"].k,
            "d": d["kdj"].d,
            "j": d["kdj"].j,
            "cci": d["cci"],
            "adx": d["adx"].adx,
            "pdi": d["adx"].plus_di,
            "mdi": d["adx"].minus_di,
            "obv": d["obv"],
            "mfi": d["mfi"],
            "bb_upper": d["bollinger"].upper,
            "bb_lower": d["bollinger"].lower,
            "bb_squeeze": d["bollinger"].squeeze,
            "ma_cross": d["ma_cross"].cross,
            "ma_confirmed": d["ma_cross"].volume_confirmed,
        }
        self._cols = {k: np.array(v, np.float64) for k, v in cols.items()}
        self._n = len(c)
        self._set = None
        self._history = c

    def update(self, c: Candles) -> None:
        """Fold in the bars ``c`` gained since the last call (``c`` extends the last series)."""
        n_old = self._n
        if self._set is None:
            h = self._history
            self._set = IndicatorSet.from_history(
                h.high, h.low, h.close, h.volume, config=INDICATOR_CONFIG
            )
        rows = []
        for k in range(n_old, len(c)):
            v = self._set.update(
                Bar(
                    high=float(c.high[k]),
                    low=float(c.low[k]),
                    close=float(c.close[k]),
                    volume=float(c.volume[k]),
                )
            )
            m, kd, ax, bb, mc = v["macd"], v["kdj"], v["adx"], v["bollinger"], v["ma_cross"]
            rows.append(
                (
                    v["rsi"],
                    m.dif,
                    m.dea,
                    kd.k,
                    kd.d,
                    kd.j,
                    v["cci"],
                    ax.adx,
                    ax.plus_di,
                    ax.minus_di,
                    v["obv"],
                    v["mfi"],
                    bb.upper,
                    bb.lower,
                    float(bb.squeeze),
                    float(mc[2]),
                    float(mc[3]),
                )
            )
        self._grow(np.array(rows, np.float64).reshape(-1, len(COLUMNS)))
        self._history = c

    def _grow(self, rows: np.ndarray) -> None:
        need = self._n + len(rows)
        for i, name in enumerate(COLUMNS):
            col = self._cols[name]
            if need > len(col):
                # Capacity doubles, so a live update copies the history only now and then.
                bigger = np.empty(max(need, 2 * len(col)))
                bigger[: self._n] = col[: self._n]
                col = self._cols[name] = bigger
            col[self._n : need] = rows[:, i]
        self._n = need

    def view(self) -> dict[str, np.ndarray]:
        return {name: col[: self._n] for name, col in self._cols.items()}


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
        return np.array(up, np.int64), np.array(down, np.int64)
    prev, cur = x[lo - 1 : -1], x[lo:]
    lv_prev = level[lo - 1 : -1] if lv_arr else level
    lv = level[lo:] if lv_arr else level
    up = (prev <= lv_prev) & (cur > lv)
    down = (prev >= lv_prev) & (cur < lv)
    return np.flatnonzero(up) + lo, np.flatnonzero(down) + lo


_NO_BARS = np.empty(0, np.int64)


class _Sink:
    """Collects events as rows; builds the Signal records at the end."""

    def __init__(self, asset: str, timeframe: str, time: np.ndarray) -> None:
        self.asset, self.timeframe, self.time = asset, timeframe, time
        self.rows: list[tuple] = []

    def add(
        self, kind: str, direction: Direction, bars, known=None, levels=None, reason: str = ""
    ) -> None:
        """One event per bar in ``bars`` (known at ``known``, default the same bars);
        ``levels`` maps a level name to an array aligned with ``bars``."""
        if not len(bars):
            return
        bars = np.asarray(bars, np.int64).tolist()
        known = bars if known is None else np.asarray(known, np.int64).tolist()
        names = list(levels or {})
        values = [np.asarray(levels[n], np.float64).tolist() for n in names]
        for i, (b, k) in enumerate(zip(bars, known)):
            self.rows.append(
                (k, b, kind, direction, {n: v[i] for n, v in zip(names, values)}, reason)
            )

    def signals(self) -> list[Signal]:
        if not self.rows:
            return []
        asset, tf = self.asset, self.timeframe
        used = np.unique(np.array([r[0] for r in self.rows] + [r[1] for r in self.rows], np.int64))
        t = dict(zip(used.tolist(), self.time[used].tolist()))
        self.rows.sort(key=lambda r: (r[0], r[1], r[2], r[3].value))
        return [
            Signal(
                id=f"{kind}:{direction.value}:{asset}:{t[b]}",
                kind=kind,
                direction=direction,
                state=State.TRIGGERED,
                assets=(asset,),
                timeframe=tf,
                ref_time=t[b],
                known_time=t[k],
                levels=MappingProxyType(levels),
                level_times=MappingProxyType({n: t[b] for n in levels}),
                reason=reason,
            )
            for k, b, kind, direction, levels, reason in self.rows
        ]


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
    p = params
    sink = _Sink(asset, timeframe, c.time)
    # NaN warm-up values compare False everywhere, which is what every detector wants.
    with np.errstate(invalid="ignore"):
        _level_crosses(sink, cols, c, start, p)
        _divergences(sink, cols, c, swing_highs, swing_lows, start)
        _failure_swings(sink, cols["rsi"], start, p)
        if derivatives is not None:
            close_time = c.time + timeframe_ms(timeframe)
            _derivative_readings(sink, cols["rsi"], c, close_time, derivatives, start, p)
    return sink.signals()


def _level_crosses(
    sink: _Sink, cols: Mapping[str, np.ndarray], c: Candles, start: int, p: IndicatorSignalParams
):
    rsi = cols["rsi"]
    for level in p.rsi_levels:
        up, down = _crosses(rsi, level, start)
        sink.add(
            f"rsi_cross_{level:g}",
            BULL,
            up,
            levels={"rsi": rsi[up]},
            reason=f"RSI crossed above {level:g}",
        )
        sink.add(
            f"rsi_cross_{level:g}",
            BEAR,
            down,
            levels={"rsi": rsi[down]},
            reason=f"RSI crossed below {level:g}",
        )
    for name, a, b, label in (
        ("kdj_cross", "k", "d", "K crossed D"),
        ("macd_cross", "dif", "dea", "DIF crossed DEA"),
    ):
        up, down = _crosses(cols[a], cols[b], start)
        for bars, d, word in ((up, BULL, "above"), (down, BEAR, "below")):
            sink.add(
                name,
                d,
                bars,
                levels={a: cols[a][bars], b: cols[b][bars]},
                reason=label.replace("crossed", f"crossed {word}"),
            )
    dif = cols["dif"]
    up, down = _crosses(dif, 0.0, start)
    sink.add("macd_zero", BULL, up, levels={"dif": dif[up]}, reason="DIF crossed above zero")
    sink.add("macd_zero", BEAR, down, levels={"dif": dif[down]}, reason="DIF crossed below zero")
    j = cols["j"]
    up, _ = _crosses(j, p.j_high, start)
    sink.add(
        "kdj_j_extreme", BEAR, up, levels={"j": j[up]}, reason=f"J above {p.j_high:g} (overbought)"
    )
    _, down = _crosses(j, p.j_low, start)
    sink.add(
        "kdj_j_extreme", BULL, down, levels={"j": j[down]}, reason=f"J below {p.j_low:g} (oversold)"
    )
    cci = cols["cci"]
    for level in p.cci_levels:
        up, down = _crosses(cci, level, start)
        sink.add(
            f"cci_cross_{level:g}",
            BULL,
            up,
            levels={"cci": cci[up]},
            reason=f"CCI crossed above {level:g}",
        )
        sink.add(
            f"cci_cross_{level:g}",
            BEAR,
            down,
            levels={"cci": cci[down]},
            reason=f"CCI crossed below {level:g}",
        )
    adx, pdi, mdi = cols["adx"], cols["pdi"], cols["mdi"]
    up, _ = _crosses(adx, p.adx_trend, start)
    bull = pdi[up] > mdi[up]
    for bars, d, word in ((up[bull], BULL, "+DI"), (up[~bull], BEAR, "-DI")):
        sink.add(
            "adx_trend_start",
            d,
            bars,
            levels={"adx": adx[bars], "pdi": pdi[bars], "mdi": mdi[bars]},
            reason=f"ADX crossed above {p.adx_trend:g} with {word} leading",
        )
    squeeze = cols["bb_squeeze"]
    lo = max(start, 1)
    starts = (
        np.flatnonzero((squeeze[lo:] > 0) & ~(squeeze[lo - 1 : -1] > 0)) + lo
        if lo < len(squeeze)
        else []
    )
    sink.add("bb_squeeze", FLAT, starts, reason="Bollinger bandwidth at its lowest of the lookback")
    up, _ = _crosses(c.close, cols["bb_upper"], start)
    _, down = _crosses(c.close, cols["bb_lower"], start)
    sink.add(
        "bb_outside",
        BULL,
        up,
        levels={"close": c.close[up], "band": cols["bb_upper"][up]},
        reason="close above the upper band",
    )
    sink.add(
        "bb_outside",
        BEAR,
        down,
        levels={"close": c.close[down], "band": cols["bb_lower"][down]},
        reason="close below the lower band",
    )
    cross = cols["ma_cross"][start:]
    for sign, d, word in ((1, BULL, "golden"), (-1, BEAR, "death")):
        bars = np.flatnonzero(cross == sign) + start
        confirmed = cols["ma_confirmed"][bars] > 0
        sink.add("ma_cross", d, bars[confirmed], reason=f"{word} cross, volume-confirmed")
        sink.add("ma_cross", d, bars[~confirmed], reason=f"{word} cross")


def _divergences(sink: _Sink, cols, c: Candles, highs: SwingSet, lows: SwingSet, start: int):
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


def _failure_swings(sink: _Sink, rsi: np.ndarray, start: int, p: IndicatorSignalParams):
    """Wilder failure swings: a top starts with an RSI pivot above ``failure_high``; RSI
    pulls back to a low, rallies to a lower pivot (within ``failure_lookback`` bars),
    then falls below that low within ``failure_window`` bars, never above the first
    pivot meanwhile. Bottoms mirrored. Known once the second pivot is confirmed."""
    m, w, back = p.failure_strength, p.failure_window, p.failure_lookback
    n = len(rsi)
    # Only pivots that can end in an event known from ``start`` matter; the slice keeps
    # a live update's cost independent of the history length.
    s0 = max(0, start - w - 2 * m - back)
    for sign, d, level in ((1.0, BEAR, p.failure_high), (-1.0, BULL, p.failure_low)):
        v = np.where(np.isnan(rsi[s0:]), -np.inf, sign * rsi[s0:])
        piv = find_swings(v, v, strength=m).high_idx
        if len(piv) < 2:
            continue
        h1, h2 = piv[:-1], piv[1:]
        keep = (
            (h2 + s0 + w + m >= start)
            & (v[h1] > sign * level)
            & (v[h2] < v[h1])
            & (h2 - h1 <= back)
        )
        h1, h2 = h1[keep], h2[keep]
        if not len(h1):
            continue
        trough = np.minimum.reduceat(v, np.ravel(np.column_stack([h1 + 1, h2])))[::2]
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


def _transitions(code: np.ndarray, lo: int) -> np.ndarray:
    """Bars (offset by ``lo``) where a reading code changes to a non-zero value; ``code``
    starts one bar before ``lo``."""
    return np.flatnonzero((code[1:] != code[:-1]) & (code[1:] != 0)) + lo


def _derivative_readings(
    sink: _Sink,
    rsi: np.ndarray,
    c: Candles,
    close_time: np.ndarray,
    der: Derivatives,
    start: int,
    p: IndicatorSignalParams,
):
    """Overheat (RSI tier with funding and the account ratio), open interest with price,
    and top-trader position vs account ratios; each reported when its reading changes."""
    n, L = len(c), p.flow_lookback
    lo = max(start, 1)
    if lo >= n:
        return
    seg = np.arange(lo - 1, n)
    when = close_time[seg]
    if der.funding is not None and der.account_ratio is not None:
        f, r, x = der.funding.at(when), der.account_ratio.at(when), rsi[seg]
        hot = (f >= p.funding_high) & (r >= p.ratio_high)
        cold = (f <= p.funding_low) & (r <= p.ratio_low)
        tier_hot = np.where(hot, sum((x > t).astype(int) for t in p.overheat_tiers), 0)
        tier_cold = np.where(cold, sum((x < t).astype(int) for t in p.oversold_tiers), 0)
        for tier, kind, d, what in (
            (tier_hot, "overheat_long", BEAR, "long crowding"),
            (tier_cold, "overheat_short", BULL, "short squeeze risk"),
        ):
            rise = np.flatnonzero(tier[1:] > tier[:-1])
            sink.add(
                kind,
                d,
                seg[1:][rise],
                levels={
                    "rsi": x[1:][rise],
                    "funding": f[1:][rise],
                    "account_ratio": r[1:][rise],
                    "tier": tier[1:][rise],
                },
                reason=f"{what}, severity by RSI tier",
            )
    # A change over L bars needs bar k - L; before that there is no reading (code 0),
    # so the first reading counts as a change.
    ago = np.maximum(seg - L, 0)
    defined = seg >= L
    if der.open_interest is not None:
        oi, oi_ago = der.open_interest.at(close_time[seg]), der.open_interest.at(close_time[ago])
        dp, doi = c.close[seg] - c.close[ago], oi - oi_ago
        code = (
            np.select([(doi > 0) & (dp > 0), (doi > 0) & (dp < 0), doi < 0], [1, 2, 3], 0) * defined
        )
        for value, kind, d, text in (
            (1, "oi_trend_backed", BULL, "price up with open interest up"),
            (2, "oi_shorts_building", BEAR, "price down with open interest up"),
            (3, "oi_positions_closing", FLAT, "open interest falling"),
        ):
            bars = _transitions(code, lo)
            bars = bars[code[bars - lo + 1] == value]
            sink.add(
                kind,
                d,
                bars,
                levels={"open_interest": oi[bars - lo + 1], "close": c.close[bars]},
                reason=text,
            )
    if der.top_position_ratio is not None and der.top_account_ratio is not None:
        pos, acc = der.top_position_ratio, der.top_account_ratio
        dpos = pos.at(close_time[seg]) - pos.at(close_time[ago])
        dacc = acc.at(close_time[seg]) - acc.at(close_time[ago])
        code = (
            np.select(
                [(dpos > 0) & (dacc > 0), (dpos < 0) & (dacc < 0), dpos * dacc < 0], [1, 2, 3], 0
            )
            * defined
        )
        for value, kind, d, text in (
            (1, "whale_consensus", BULL, "top-trader position and account ratios rising"),
            (2, "whale_consensus", BEAR, "top-trader position and account ratios falling"),
            (3, "whale_split", FLAT, "top-trader position and account ratios diverge"),
        ):
            bars = _transitions(code, lo)
            bars = bars[code[bars - lo + 1] == value]
            sink.add(
                kind,
                d,
                bars,
                levels={
                    "position_ratio": pos.at(close_time[bars]),
                    "account_ratio": acc.at(close_time[bars]),
                },
                reason=text,
            )
