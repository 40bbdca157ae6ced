"""Compiled full-history loops, one fused pass per indicator.

Each loop performs, bar by bar, exactly the floating-point operations of the matching
incremental ``_step`` (running totals added left to right, a window sum as the
difference of two running totals, recursions as ``w*x + y*(1 - w)``), so a history
computed here and the same history fed one candle at a time agree bit for bit. No
``fastmath``: reassociating or fusing those operations would break that agreement.

Every loop also returns a probe, the sum of ``x*0`` over its inputs: 0 when they are all
finite, NaN otherwise (and NaN for a negative volume), so the caller validates the input
without another pass over it.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def _read_volume(probe, volume):
    """``probe`` after reading one volume: NaN from a non-finite or negative one on."""
    return np.nan if volume < 0.0 else probe + volume * 0.0


@_jit
def _ring_in_order(ring, j):
    """The ring buffer's values oldest first, when ``j`` is the next slot to write."""
    period = ring.shape[0]
    out = np.empty(period)
    out[: period - j] = ring[j:]
    out[period - j :] = ring[:j]
    return out


@_jit
def window_sums(x, period, out, scale):
    """``out[i]`` = (sum of the ``period`` values ending at i) / ``scale`` from running
    totals; returns the last ``period`` running totals (oldest first) and the probe."""
    ring = np.zeros(period)
    total = 0.0
    probe = 0.0
    j = 0
    for i in range(x.shape[0]):
        v = x[i]
        probe += v * 0.0
        total = total + v
        out[i] = (total - ring[j]) / scale
        ring[j] = total
        j += 1
        if j == period:
            j = 0
    return _ring_in_order(ring, j), probe


@_jit
def ema_loop(x, period, out):
    """TA-Lib's EMA: the mean of the first ``period`` values, then the recursion."""
    n = x.shape[0]
    weight = 2.0 / (period + 1)
    keep = 1.0 - weight
    probe = 0.0
    total = 0.0
    for i in range(period):
        probe += x[i] * 0.0
        total = x[i] if i == 0 else total + x[i]
    y = total / period
    out[period - 1] = y
    for i in range(period, n):
        v = x[i]
        probe += v * 0.0
        y = weight * v + y * keep
        out[i] = y
    return y, probe


@_jit
def _cross(fast, slow, above, below, valid):
    """This bar's cross (+1, -1 or 0) from the MAs and the previous bar's relation, and
    the relation to carry on: above, below, and whether the slow MA exists."""
    now_above = fast > slow
    now_below = fast < slow
    # Bitwise, not short-circuit: branch-free, as crosses are rare but irregular.
    sign = np.int8(valid & now_above & (not above)) - np.int8(valid & now_below & (not below))
    return sign, now_above, now_below, slow == slow


@_jit
def ma_cross_loop(close, volume, fast, slow, volume_period, fast_out, slow_out, cross, confirmed):
    """Fast and slow SMAs of the close, the volume SMA, and their crosses in one pass.

    A cross is +1/-1 where the fast MA closes above/below the slow one after not doing so
    on a bar where the slow MA existed; confirmed when the volume beats its mean there.
    Returns the probe.
    """
    n = close.shape[0]
    close_ring = np.zeros(slow)
    volume_ring = np.zeros(volume_period)
    close_total = 0.0
    volume_total = 0.0
    probe = 0.0
    j = jv = 0
    jf = slow - fast
    above = below = valid = False
    for i in range(n):
        c = close[i]
        v = volume[i]
        probe = _read_volume(probe + c * 0.0, v)
        close_total = close_total + c
        volume_total = volume_total + v
        f = (close_total - close_ring[jf]) / fast
        s = (close_total - close_ring[j]) / slow
        volume_mean = (volume_total - volume_ring[jv]) / volume_period
        close_ring[j] = close_total
        volume_ring[jv] = volume_total
        j = j + 1 if j + 1 < slow else 0
        jf = jf + 1 if jf + 1 < slow else 0
        jv = jv + 1 if jv + 1 < volume_period else 0
        if i < fast - 1:
            f = np.nan
        if i < slow - 1:
            s = np.nan
        if i < volume_period - 1:
            volume_mean = np.nan
        fast_out[i] = f
        slow_out[i] = s
        sign, above, below, valid = _cross(f, s, above, below, valid)
        cross[i] = sign
        confirmed[i] = (sign != 0) & (v > volume_mean)
    return probe


@_jit
def ma_crosses(fast, slow, volume, volume_mean, cross, confirmed):
    """The crosses of :func:`ma_cross_loop` over MAs computed elsewhere (EMAs)."""
    above = below = valid = False
    for i in range(fast.shape[0]):
        sign, above, below, valid = _cross(fast[i], slow[i], above, below, valid)
        cross[i] = sign
        confirmed[i] = (sign != 0) & (volume[i] > volume_mean[i])


@_jit
def rsi_loop(x, period, out):
    n = x.shape[0]
    probe = x[0] * 0.0
    gain = 0.0
    loss = 0.0
    for i in range(1, period + 1):
        probe += x[i] * 0.0
        delta = x[i] - x[i - 1]
        up = delta if delta > 0.0 else 0.0
        down = -delta if -delta > 0.0 else 0.0
        gain = up if i == 1 else gain + up
        loss = down if i == 1 else loss + down
    gain /= period
    loss /= period
    weight = 1.0 / period
    keep = 1.0 - weight
    total = gain + loss
    out[period] = 100.0 * gain / total if total > 0.0 else 0.0
    for i in range(period + 1, n):
        probe += x[i] * 0.0
        delta = x[i] - x[i - 1]
        up = delta if delta > 0.0 else 0.0
        down = -delta if delta < 0.0 else 0.0
        gain = weight * up + gain * keep
        loss = weight * down + loss * keep
        total = gain + loss
        out[i] = 100.0 * gain / total if total > 0.0 else 0.0
    return gain, loss, probe


@_jit
def true_range(high, low, previous_close):
    # Selects rather than branches: which of the three wins is unpredictable, and a
    # mispredicted branch stalls the smoothing recursion that waits on it. The order
    # makes a NaN high or low give NaN (the ATR's input check relies on it).
    span = high - low
    up = abs(high - previous_close)
    down = abs(low - previous_close)
    widest = down if down > up else up
    return widest if widest > span else span


@intrinsic
def _fma(typingctx, a, b, c):
    """``a * b + c`` rounded once (LLVM's fma: the hardware instruction where there is
    one, an exact library routine elsewhere, so the result is the same everywhere)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(double, [double] * 3), "llvm.fma.f64"
        )
        return builder.call(fn, args)

    return sig, codegen


@_jit
def wilder_fma_step(x, weight, keep, previous):
    """One step of the ATR recursion ``previous * keep + weight * x``, with one rounding
    for the multiply-add: a fused step keeps the recursion's dependency chain to one
    instruction, and the incremental state calls this same function."""
    return _fma(previous, keep, weight * x)


@_jit
def atr_loop(high, low, close, period, out):
    """Wilder's ATR into ``out`` (NaN for the first ``period`` bars). The probe reads
    every close but the last through one product per bar, and the highs and lows
    through the recursion itself: a NaN high or low makes the true range NaN, an
    infinite one makes it infinite, and either stays in every later average."""
    n = close.shape[0]
    out[:period] = np.nan
    probe = high[0] * 0.0 + low[0] * 0.0 + close[n - 1] * 0.0
    total = 0.0
    for i in range(1, period + 1):
        probe += close[i - 1] * 0.0
        tr = true_range(high[i], low[i], close[i - 1])
        total = tr if i == 1 else total + tr
    average = total / period
    out[period] = average
    weight = 1.0 / period
    keep = 1.0 - weight
    # Views indexed from 0: the compiler then knows no index is negative and drops the
    # wraparound arithmetic from every access.
    highs, lows, outs = high[period + 1 :], low[period + 1 :], out[period + 1 :]
    previous_closes = close[period : n - 1]
    for i in range(outs.shape[0]):
        previous_close = previous_closes[i]
        probe += previous_close * 0.0
        tr = true_range(highs[i], lows[i], previous_close)
        average = wilder_fma_step(tr, weight, keep, average)
        outs[i] = average
    return average, probe + average * 0.0


@_jit
def _di(movement, true_range_sum):
    return 100.0 * (movement / true_range_sum) if true_range_sum != 0.0 else 0.0


@_jit
def adx_loop(high, low, close, period, adx, plus_di, minus_di):
    """Fills the DIs from bar ``period`` and ADX from bar ``2*period - 1`` (when the
    history is that long); returns the Wilder sums, the last ADX and the probe."""
    n = close.shape[0]
    keep = 1.0 - 1.0 / period
    weight = 1.0 / period
    probe = high[0] * 0.0 + low[0] * 0.0 + close[0] * 0.0
    plus_sum = 0.0
    minus_sum = 0.0
    tr_sum = 0.0
    # Wilder's sums start from the plain sum of the first `period - 1` movements.
    for i in range(1, period):
        probe += high[i] * 0.0 + low[i] * 0.0 + close[i] * 0.0
        up = high[i] - high[i - 1]
        down = low[i - 1] - low[i]
        plus = up if up > down and up > 0.0 else 0.0
        minus = down if down > up and down > 0.0 else 0.0
        tr = true_range(high[i], low[i], close[i - 1])
        if i == 1:
            plus_sum, minus_sum, tr_sum = plus, minus, tr
        else:
            plus_sum, minus_sum, tr_sum = plus_sum + plus, minus_sum + minus, tr_sum + tr
    average = 0.0
    for i in range(period, n):
        probe += high[i] * 0.0 + low[i] * 0.0 + close[i] * 0.0
        up = high[i] - high[i - 1]
        down = low[i - 1] - low[i]
        plus = up if up > down and up > 0.0 else 0.0
        minus = down if down > up and down > 0.0 else 0.0
        plus_sum = plus + plus_sum * keep
        minus_sum = minus + minus_sum * keep
        tr_sum = true_range(high[i], low[i], close[i - 1]) + tr_sum * keep
        p = _di(plus_sum, tr_sum)
        m = _di(minus_sum, tr_sum)
        plus_di[i] = p
        minus_di[i] = m
        total = m + p
        dx = 100.0 * (abs(m - p) / total) if total != 0.0 else 0.0
        # ADX starts from the plain mean of the first `period` DX values.
        if i < 2 * period - 1:
            average = dx if i == period else average + dx
        elif i == 2 * period - 1:
            average = (average + dx) / period
            adx[i] = average
        else:
            average = weight * dx + average * keep
            adx[i] = average
    return plus_sum, minus_sum, tr_sum, average, probe


@_jit
def macd_loop(x, fast, slow, signal, dif, dea, hist):
    """From bar ``slow + signal - 2`` on; returns the three EMAs after the last bar.

    Like TA-Lib, both EMAs start on the slow one's first bar, each seeded with the mean
    of its own period of closes ending there; DEA starts from the mean of ``signal`` DIFs.
    """
    n = x.shape[0]
    first = slow + signal - 2
    start = slow - 1
    w_fast = 2.0 / (fast + 1)
    w_slow = 2.0 / (slow + 1)
    w_signal = 2.0 / (signal + 1)
    k_fast, k_slow, k_signal = 1.0 - w_fast, 1.0 - w_slow, 1.0 - w_signal
    probe = 0.0
    slow_total = 0.0
    fast_total = 0.0
    for i in range(slow):
        v = x[i]
        probe += v * 0.0
        slow_total = v if i == 0 else slow_total + v
        if i == slow - fast:
            fast_total = v
        elif i > slow - fast:
            fast_total = fast_total + v
    slow_ema = slow_total / slow
    fast_ema = fast_total / fast
    line = fast_ema - slow_ema
    line_sum = line
    for i in range(start + 1, first + 1):
        v = x[i]
        probe += v * 0.0
        fast_ema = w_fast * v + fast_ema * k_fast
        slow_ema = w_slow * v + slow_ema * k_slow
        line = fast_ema - slow_ema
        line_sum = line_sum + line
    signal_ema = line_sum / signal
    dif[first] = line
    dea[first] = signal_ema
    hist[first] = line - signal_ema
    for i in range(first + 1, n):
        v = x[i]
        probe += v * 0.0
        fast_ema = w_fast * v + fast_ema * k_fast
        slow_ema = w_slow * v + slow_ema * k_slow
        line = fast_ema - slow_ema
        signal_ema = w_signal * line + signal_ema * k_signal
        dif[i] = line
        dea[i] = signal_ema
        hist[i] = line - signal_ema
    return fast_ema, slow_ema, signal_ema, probe


@_jit
def kdj_loop(high, low, close, period, k_period, d_period, start, out):
    """K, D, J into ``out`` (3 rows). The window's highest high and lowest low come from
    blocks of ``period`` bars (van Herk / Gil-Werman, as in :func:`bollinger_squeeze_loop`):
    exact, and O(1) per bar whatever the period."""
    n = close.shape[0]
    probe = 0.0
    k = start
    d = start
    k_out, d_out, j_out = out[0], out[1], out[2]
    wk = 1.0 / k_period
    wd = 1.0 / d_period
    kk, kd = 1.0 - wk, 1.0 - wd
    suffix_high = np.empty(min(period, n))
    suffix_low = np.empty(min(period, n))
    running_high = 0.0
    running_low = 0.0
    for i in range(n):
        h = high[i]
        lo = low[i]
        probe += h * 0.0 + lo * 0.0 + close[i] * 0.0
        r = i % period
        running_high = h if r == 0 or h > running_high else running_high
        running_low = lo if r == 0 or lo < running_low else running_low
        if r == period - 1:
            highest = running_high
            lowest = running_low
            top = h
            bottom = lo
            for t in range(period - 1, -1, -1):
                v = high[i - (period - 1) + t]
                top = v if v > top else top
                suffix_high[t] = top
                v = low[i - (period - 1) + t]
                bottom = v if v < bottom else bottom
                suffix_low[t] = bottom
        elif i >= period:
            v = suffix_high[r + 1]
            highest = v if v > running_high else running_high
            v = suffix_low[r + 1]
            lowest = v if v < running_low else running_low
        else:
            continue
        span = highest - lowest
        rsv = (close[i] - lowest) / span * 100.0 if span != 0.0 else 50.0
        k = wk * rsv + k * kk
        d = wd * k + d * kd
        k_out[i] = k
        d_out[i] = d
        j_out[i] = 3.0 * k - 2.0 * d
    return k, d, probe


@_jit
def _cci_value(typical, i, mean, mad, period, constant, rounding):
    mad /= period
    deviation = typical[i] - mean
    if mad <= rounding * abs(mean) or deviation == 0.0:
        return 0.0
    return deviation / (constant * mad)


@_jit
def cci_loop(high, low, close, period, constant, rounding, out, typical):
    """O(period) per bar: the mean absolute deviation needs the whole window. Four bars
    are summed side by side so their independent additions overlap in the CPU; each
    bar's window is still added left to right. ``typical`` is scratch the caller
    allocates: numpy maps a large fresh array far more cheaply than the loop's own
    allocator does."""
    n = close.shape[0]
    probe = 0.0
    for i in range(n):
        probe += high[i] * 0.0 + low[i] * 0.0 + close[i] * 0.0
        typical[i] = (high[i] + low[i] + close[i]) / 3
    i = period - 1
    while i + 3 < n:
        lo = i - period + 1
        s0, s1, s2, s3 = typical[lo], typical[lo + 1], typical[lo + 2], typical[lo + 3]
        for t in range(1, period):
            s0 += typical[lo + t]
            s1 += typical[lo + 1 + t]
            s2 += typical[lo + 2 + t]
            s3 += typical[lo + 3 + t]
        m0, m1, m2, m3 = s0 / period, s1 / period, s2 / period, s3 / period
        a0 = abs(typical[lo] - m0)
        a1 = abs(typical[lo + 1] - m1)
        a2 = abs(typical[lo + 2] - m2)
        a3 = abs(typical[lo + 3] - m3)
        for t in range(1, period):
            a0 += abs(typical[lo + t] - m0)
            a1 += abs(typical[lo + 1 + t] - m1)
            a2 += abs(typical[lo + 2 + t] - m2)
            a3 += abs(typical[lo + 3 + t] - m3)
        out[i] = _cci_value(typical, i, m0, a0, period, constant, rounding)
        out[i + 1] = _cci_value(typical, i + 1, m1, a1, period, constant, rounding)
        out[i + 2] = _cci_value(typical, i + 2, m2, a2, period, constant, rounding)
        out[i + 3] = _cci_value(typical, i + 3, m3, a3, period, constant, rounding)
        i += 4
    while i < n:
        lo = i - period + 1
        total = typical[lo]
        for t in range(lo + 1, i + 1):
            total += typical[t]
        mean = total / period
        mad = abs(typical[lo] - mean)
        for t in range(lo + 1, i + 1):
            mad += abs(typical[t] - mean)
        out[i] = _cci_value(typical, i, mean, mad, period, constant, rounding)
        i += 1
    return typical[n - period + 1 :].copy(), probe


@_jit
def obv_loop(close, volume, out):
    probe = _read_volume(close[0] * 0.0, volume[0])
    total = 0.0
    out[0] = 0.0
    for i in range(1, close.shape[0]):
        c = close[i]
        v = volume[i]
        probe = _read_volume(probe + c * 0.0, v)
        previous = close[i - 1]
        direction = 1.0 if c > previous else -1.0 if c < previous else 0.0
        total = total + direction * v
        out[i] = total
    return total, probe


@_jit
def mfi_loop(high, low, close, volume, period, same_typical, out):
    """Money flow window sums from bar 1; returns the last typical price, the last
    ``period`` running totals of positive and negative flow, and the probe."""
    n = close.shape[0]
    positive_ring = np.zeros(period)
    negative_ring = np.zeros(period)
    positive = 0.0
    negative = 0.0
    j = 0
    probe = _read_volume(high[0] * 0.0 + low[0] * 0.0 + close[0] * 0.0, volume[0])
    previous = (high[0] + low[0] + close[0]) / 3
    for i in range(1, n):
        v = volume[i]
        probe = _read_volume(probe + high[i] * 0.0 + low[i] * 0.0 + close[i] * 0.0, v)
        typical = (high[i] + low[i] + close[i]) / 3
        flow = typical * v
        delta = typical - previous
        tolerance = same_typical * (abs(typical) + abs(previous))
        positive = positive + (flow if delta > tolerance else 0.0)
        negative = negative + (flow if delta < -tolerance else 0.0)
        up = positive - positive_ring[j]
        down = negative - negative_ring[j]
        total = up + down
        out[i] = 100.0 * (up / total) if total != 0.0 else 0.0
        positive_ring[j] = positive
        negative_ring[j] = negative
        j += 1
        if j == period:
            j = 0
        previous = typical
    return previous, _ring_in_order(positive_ring, j), _ring_in_order(negative_ring, j), probe


@_jit
def bollinger_bands_loop(x, period, stddev, bands):
    """Middle, upper and lower bands (the rows of ``bands``) from the window sums of
    (x - origin) and its square.

    The bars fall in blocks of ``period`` (bar i ends one when i % period == period - 1).
    At the end of a block the origin becomes that bar's close, and the sums of each
    suffix of the block are taken about it, last bar first; a window ending inside the
    next block is a suffix of that block plus the next block's running prefix, about
    the same origin. So each window sum adds only the window's own values, about a
    price inside the window: rounding never builds up with the history's length, the
    variance never comes from subtracting numbers of the size of price squared, and a
    flat window has a variance of exactly 0. Returns the state after the last bar
    (origin, suffix sums, prefix sums, the current block's closes) and the probe.
    """
    n = x.shape[0]
    middle, upper, lower = bands[0], bands[1], bands[2]
    origin = x[0]
    block = np.empty(period)
    suffix = np.zeros(period)
    square_suffix = np.zeros(period)
    prefix = 0.0
    square_prefix = 0.0
    probe = 0.0
    j = 0
    last = period - 1
    # Multiplying by the reciprocal keeps the divider free for the square root.
    scale = 1.0 / period
    for i in range(n):
        v = x[i]
        probe += v * 0.0
        block[j] = v
        if j == last:
            origin = v
            total = 0.0
            square_total = 0.0
            for t in range(last, -1, -1):
                d = block[t] - origin
                total += d
                square_total += d * d
                suffix[t] = total
                square_suffix[t] = square_total
            prefix = 0.0
            square_prefix = 0.0
            j = 0
        else:
            d = v - origin
            prefix += d
            square_prefix += d * d
            j += 1
            total = suffix[j] + prefix
            square_total = square_suffix[j] + square_prefix
        if i < last:
            continue
        mean_offset = total * scale
        variance = square_total * scale - mean_offset * mean_offset
        width = stddev * (math.sqrt(variance) if variance > 0.0 else 0.0)
        mid = origin + mean_offset
        middle[i] = mid
        upper[i] = mid + width
        lower[i] = mid - width
    return (origin, suffix, square_suffix, prefix, square_prefix, block), probe


@_jit
def bollinger_squeeze_loop(bands, start, squeeze_period, squeeze):
    """Bandwidth (row 3 of ``bands``, from rows 0-2) from bar ``start`` on, and the
    squeeze where a bandwidth is the lowest of its last ``squeeze_period`` (none next
    to a NaN).

    The window minimum comes from blocks of ``squeeze_period`` bandwidths (van Herk /
    Gil-Werman): the running minimum since the current block began, and the suffix
    minima of the block before, worked out once when that block closed. Exact, and
    O(1) per bar.
    """
    middle, upper, lower, bandwidth = bands[0], bands[1], bands[2], bands[3]
    n = middle.shape[0]
    sq = squeeze_period
    suffix = np.empty(min(sq, n))
    running = 0.0
    last_nan = -1
    r = 0  # place of bar i in its block of sq bandwidths
    full = False  # a whole block lies behind bar i
    for i in range(start, n):
        mid = middle[i]
        up = upper[i]
        low = lower[i]
        bw = (up - low) / mid if mid != 0.0 else np.nan
        bandwidth[i] = bw
        if bw != bw:
            last_nan = i
        running = bw if r == 0 or bw < running else running
        if r == sq - 1:
            lowest = running
            acc = bw
            for t in range(sq - 1, -1, -1):
                v = bandwidth[i - (sq - 1) + t]
                acc = v if v < acc else acc
                suffix[t] = acc
            squeeze[i] = last_nan <= i - sq and bw <= lowest
            r = 0
            full = True
            continue
        if full:
            tail = suffix[r + 1]
            lowest = tail if tail < running else running
            squeeze[i] = last_nan <= i - sq and bw <= lowest
        r += 1
