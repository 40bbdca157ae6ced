"""Definitions of domain §3 that TA-Lib does not pin down, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from smtdesk.core import indicators as ind
from smtdesk.core.indicators import Bar, rsi
from tests.core.conftest import synthetic_candles

DATA = synthetic_candles(700, 11)
H, L, C, V = DATA["high"], DATA["low"], DATA["close"], DATA["volume"]

# name -> (function, positional inputs, keyword parameters)
FUNCTIONS = {
    "sma": (ind.sma, ("close",), {"period": 20}),
    "ema": (ind.ema, ("close",), {"period": 20}),
    "ma_cross": (ind.ma_cross, ("close", "volume"), {}),
    "macd": (ind.macd, ("close",), {}),
    "rsi": (ind.rsi, ("close",), {"period": 14}),
    "kdj": (ind.kdj, ("high", "low", "close"), {}),
    "cci": (ind.cci, ("high", "low", "close"), {"period": 20}),
    "atr": (ind.atr, ("high", "low", "close"), {"period": 14}),
    "adx": (ind.adx, ("high", "low", "close"), {"period": 14}),
    "obv": (ind.obv, ("close", "volume"), {}),
    "mfi": (ind.mfi, ("high", "low", "close", "volume"), {"period": 14}),
    "bollinger": (ind.bollinger, ("close",), {}),
}


def _call(name, data=DATA, **override):
    function, inputs, params = FUNCTIONS[name]
    return function(*(data[k] for k in inputs), **{**params, **override})


def _arrays(output) -> list[np.ndarray]:
    if isinstance(output, np.ndarray):
        return [output]
    return [getattr(output, f) for f in output.__dataclass_fields__]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_names_the_argument(name, bad):
    for field in FUNCTIONS[name][1]:
        data = {k: v.copy() for k, v in DATA.items()}
        data[field][300] = bad
        with pytest.raises(ValueError, match=f"^{field}:"):
            _call(name, data)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_atr_finds_a_non_finite_value_anywhere(bad):
    # The ATR reads highs and lows through its recursion and closes through a probe:
    # first and last bars, the seed window and the bar after it must all be caught.
    n = len(DATA["close"])
    for field in ("high", "low", "close"):
        for at in (0, 1, 13, 14, 15, n - 2, n - 1):
            data = {k: v.copy() for k, v in DATA.items()}
            data[field][at] = bad
            with pytest.raises(ValueError, match=f"^{field}:"):
                ind.atr(data["high"], data["low"], data["close"], 14)


@pytest.mark.parametrize("name", ["ma_cross", "obv", "mfi"])
def test_negative_volume_is_refused(name):
    data = {k: v.copy() for k, v in DATA.items()}
    data["volume"][5] = -1.0
    with pytest.raises(ValueError, match="^volume:"):
        _call(name, data)


@pytest.mark.parametrize("name", ["kdj", "cci", "atr", "adx", "mfi", "obv"])
def test_inputs_of_different_lengths_are_refused(name):
    data = {k: v.copy() for k, v in DATA.items()}
    data["close"] = data["close"][:-1]
    with pytest.raises(ValueError, match="^(high|low|close|volume):"):
        _call(name, data)


@pytest.mark.parametrize(
    ("name", "param"),
    [
        ("sma", "period"),
        ("ema", "period"),
        ("rsi", "period"),
        ("cci", "period"),
        ("atr", "period"),
        ("adx", "period"),
        ("mfi", "period"),
        ("kdj", "period"),
        ("kdj", "k_period"),
        ("kdj", "d_period"),
        ("macd", "fast"),
        ("macd", "signal"),
        ("bollinger", "period"),
        ("bollinger", "squeeze_period"),
        ("ma_cross", "fast"),
        ("ma_cross", "volume_period"),
    ],
)
@pytest.mark.parametrize("value", [0, -3, 2.5, True, "9"])
def test_bad_period_names_the_parameter(name, param, value):
    with pytest.raises(ValueError, match=f"^{param}:"):
        _call(name, **{param: value})


def test_other_bad_parameters():
    with pytest.raises(ValueError, match="^fast:"):
        ind.macd(C, fast=26, slow=12)
    with pytest.raises(ValueError, match="^fast:"):
        ind.ma_cross(C, V, fast=20, slow=20)
    with pytest.raises(ValueError, match="^kind:"):
        ind.ma_cross(C, V, kind="wma")
    with pytest.raises(ValueError, match="^stddev:"):
        ind.bollinger(C, stddev=0)
    with pytest.raises(ValueError, match="^period:"):
        ind.adx(H, L, C, 1)
    with pytest.raises(ValueError, match="^close:"):
        ind.sma(np.ones((3, 3)))


@pytest.mark.parametrize("name", sorted(set(FUNCTIONS) - {"obv"}))
def test_shorter_than_the_period_is_all_warm_up(name):
    short = {k: v[:4] for k, v in DATA.items()}
    for arr in _arrays(_call(name, short)):
        assert len(arr) == 4
        if arr.dtype == np.float64:
            assert np.isnan(arr).all()
        else:
            assert not arr.any()
    empty = {k: v[:0] for k, v in DATA.items()}
    assert all(len(a) == 0 for a in _arrays(_call(name, empty)))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_outputs_are_read_only_and_causal(name):
    full = _arrays(_call(name))
    prefix = _arrays(_call(name, {k: v[:400] for k, v in DATA.items()}))
    for whole, part in zip(full, prefix):
        assert not whole.flags.writeable
        np.testing.assert_array_equal(whole[:400], part)


def test_state_refuses_a_bad_bar_and_keeps_its_value():
    state = ind.MFIState.from_history(high=H, low=L, close=C, volume=V, period=14)
    before = state.value
    with pytest.raises(ValueError, match="^volume:"):
        state.update(Bar(1.0, 1.0, 1.0, -2.0))
    with pytest.raises(ValueError, match="^close:"):
        state.update(Bar(1.0, 1.0, math.nan, 2.0))
    assert state.value == before
    with pytest.raises(ValueError, match="^period:"):
        ind.SMAState(period=0)


def test_rsi_keeps_its_original_signature():
    out = rsi(C, period=14)
    assert out.dtype == np.float64 and np.isnan(out[:14]).all() and not np.isnan(out[14:]).any()


def _kdj_loop(high, low, close, n=9, m1=3, m2=3):
    """Seed 001 written out bar by bar."""
    k_prev = d_prev = 50.0
    out = []
    for i in range(len(close)):
        if i < n - 1:
            out.append((math.nan,) * 3)
            continue
        hh, ll = max(high[i - n + 1 : i + 1]), min(low[i - n + 1 : i + 1])
        rsv = 50.0 if hh == ll else (close[i] - ll) / (hh - ll) * 100
        k = (m1 - 1) / m1 * k_prev + rsv / m1
        d = (m2 - 1) / m2 * d_prev + k / m2
        out.append((k, d, 3 * k - 2 * d))
        k_prev, d_prev = k, d
    return np.array(out)


@pytest.mark.parametrize(("n", "m1", "m2"), [(9, 3, 3), (5, 2, 4)])
def test_kdj_matches_a_plain_loop_of_the_seed_formula(n, m1, m2):
    ours = ind.kdj(H, L, C, period=n, k_period=m1, d_period=m2)
    expected = _kdj_loop(H.tolist(), L.tolist(), C.tolist(), n, m1, m2)
    got = np.column_stack([ours.k, ours.d, ours.j])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-10, equal_nan=True)
    flat = [H[i - n + 1 : i + 1].max() == L[i - n + 1 : i + 1].min() for i in range(n - 1, len(C))]
    assert any(flat), "the data must contain flat windows where RSV = 50"


def test_kdj_starts_from_50():
    out = ind.kdj(H, L, C)
    hh, ll = H[:9].max(), L[:9].min()
    rsv = (C[8] - ll) / (hh - ll) * 100
    assert out.k[8] == pytest.approx(2 / 3 * 50 + rsv / 3, rel=1e-15)
    assert out.d[8] == pytest.approx(2 / 3 * 50 + out.k[8] / 3, rel=1e-15)


def test_obv_starts_at_zero_and_follows_the_close():
    close = np.array([10.0, 11.0, 11.0, 9.0, 12.0])
    volume = np.array([5.0, 2.0, 7.0, 3.0, 1.0])
    np.testing.assert_array_equal(ind.obv(close, volume), [0.0, 2.0, 2.0, -1.0, 0.0])


def test_cci_of_a_flat_market_is_zero():
    price = np.full(60, 0.1)
    np.testing.assert_array_equal(ind.cci(price, price, price, 20)[19:], 0.0)


def test_mfi_without_volume_is_zero():
    flat_volume = np.zeros(40)
    out = ind.mfi(H[:40], L[:40], C[:40], flat_volume, 14)
    np.testing.assert_array_equal(out[14:], 0.0)


def test_ma_cross_marks_golden_and_death_crosses_with_volume():
    close = np.array([10, 10, 10, 10, 9, 8, 8, 12, 13, 13, 13, 9, 8, 8], dtype=float)
    volume = np.array([1, 1, 1, 1, 1, 1, 1, 9, 1, 1, 1, 1, 1, 1], dtype=float)
    result = ind.ma_cross(close, volume, fast=2, slow=4, volume_period=4)
    fast, slow = ind.sma(close, 2), ind.sma(close, 4)
    for i in range(4, len(close)):
        golden = fast[i] > slow[i] and not fast[i - 1] > slow[i - 1]
        death = fast[i] < slow[i] and not fast[i - 1] < slow[i - 1]
        assert result.cross[i] == (1 if golden else -1 if death else 0), i
    assert 1 in result.cross and -1 in result.cross
    assert (result.cross[:4] == 0).all()
    golden_bar = int(np.flatnonzero(result.cross == 1)[0])
    assert golden_bar == 7 and result.volume_confirmed[golden_bar]
    assert not result.volume_confirmed[result.cross == -1].any()
    assert not result.volume_confirmed[result.cross == 0].any()


def test_bollinger_against_population_sigma_and_squeeze_by_brute_force():
    out = ind.bollinger(C, period=20, stddev=2.0, squeeze_period=120)
    for i in range(19, len(C)):
        window = C[i - 19 : i + 1]
        mean, sigma = window.mean(), window.std(ddof=0)
        assert out.middle[i] == pytest.approx(mean, rel=1e-12)
        assert out.upper[i] == pytest.approx(mean + 2 * sigma, rel=1e-10)
        assert out.bandwidth[i] == pytest.approx(4 * sigma / mean, rel=1e-6, abs=1e-12)
    for i in range(len(C)):
        recent = out.bandwidth[max(0, i - 119) : i + 1]
        expected = i >= 19 + 119 and out.bandwidth[i] <= recent.min()
        assert out.squeeze[i] == expected, i
    assert out.squeeze.any()
