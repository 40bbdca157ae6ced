"""The incremental states reproduce the vectorised functions bit for bit, on every bar."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smtdesk.core import indicators as ind
from smtdesk.core.indicators import Bar
from tests.core.conftest import synthetic_candles

SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _rows(output) -> list[tuple]:
    """Per-bar tuples of a vectorised output (an array or a dataclass of arrays)."""
    if isinstance(output, np.ndarray):
        return [(v,) for v in output.tolist()]
    columns = [getattr(output, f.name).tolist() for f in dataclasses.fields(output)]
    return list(zip(*columns))


def _same(got: tuple, expected: tuple) -> bool:
    return all(
        (isinstance(e, float) and math.isnan(e) and math.isnan(g)) or g == e
        for g, e in zip(got, expected, strict=True)
    )


def _as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, tuple) else (value,)


def _replay(state_cls, function, params, data, split):
    """Start a state from the first ``split`` bars, feed the rest one at a time and
    check each bar against the vectorised output."""
    inputs = state_cls.inputs
    full = _rows(function(*(data[k] for k in inputs), **params))
    state = state_cls.from_history(**{k: data[k][:split] for k in inputs}, **params)
    if split:
        assert _same(_as_tuple(state.value), full[split - 1])
    for i in range(split, len(data["close"])):
        bar = Bar(*(float(data[k][i]) for k in ("high", "low", "close", "volume")))
        got = _as_tuple(state.update(bar))
        assert _same(got, full[i]), (i, got, full[i])


CASES = {
    "sma": (ind.SMAState, ind.sma, lambda d: {"period": d.draw(st.integers(1, 60))}),
    "ema": (ind.EMAState, ind.ema, lambda d: {"period": d.draw(st.integers(1, 60))}),
    "ma_cross": (
        ind.MACrossState,
        ind.ma_cross,
        lambda d: {
            "fast": (f := d.draw(st.integers(1, 15))),
            "slow": d.draw(st.integers(f + 1, 40)),
            "kind": d.draw(st.sampled_from(["sma", "ema"])),
            "volume_period": d.draw(st.integers(1, 30)),
        },
    ),
    "macd": (
        ind.MACDState,
        ind.macd,
        lambda d: {
            "fast": (f := d.draw(st.integers(1, 15))),
            "slow": d.draw(st.integers(f + 1, 40)),
            "signal": d.draw(st.integers(1, 15)),
        },
    ),
    "rsi": (ind.RSIState, ind.rsi, lambda d: {"period": d.draw(st.integers(1, 40))}),
    "kdj": (
        ind.KDJState,
        ind.kdj,
        lambda d: {
            "period": d.draw(st.integers(1, 30)),
            "k_period": d.draw(st.integers(1, 6)),
            "d_period": d.draw(st.integers(1, 6)),
        },
    ),
    "cci": (ind.CCIState, ind.cci, lambda d: {"period": d.draw(st.integers(1, 40))}),
    "atr": (ind.ATRState, ind.atr, lambda d: {"period": d.draw(st.integers(1, 40))}),
    "adx": (ind.ADXState, ind.adx, lambda d: {"period": d.draw(st.integers(2, 30))}),
    "obv": (ind.OBVState, ind.obv, lambda d: {}),
    "mfi": (ind.MFIState, ind.mfi, lambda d: {"period": d.draw(st.integers(1, 40))}),
    "bollinger": (
        ind.BollingerState,
        ind.bollinger,
        lambda d: {
            "period": d.draw(st.integers(1, 40)),
            "stddev": d.draw(st.sampled_from([0.5, 2.0, 2.5])),
            "squeeze_period": d.draw(st.integers(1, 60)),
        },
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@SETTINGS
@given(data=st.data())
def test_incremental_equals_vectorised(name, data):
    state_cls, function, draw_params = CASES[name]
    params = draw_params(data)
    n = data.draw(st.integers(0, 220), label="n")
    split = data.draw(st.integers(0, n), label="split")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    scale = data.draw(st.sampled_from([0.01, 30_000.0, 1e12]), label="scale")
    candles = synthetic_candles(n, seed, scale=scale)
    _replay(state_cls, function, params, candles, split)


def test_indicator_set_matches_compute_indicators_on_every_bar():
    data = synthetic_candles(600, 7)
    cols = [data[k] for k in ("high", "low", "close", "volume")]
    full = {k: _rows(v) for k, v in ind.compute_indicators(*cols).items()}
    split = 250
    live = ind.IndicatorSet.from_history(*(c[:split] for c in cols))
    for i in range(split, 600):
        bar = Bar(*(float(c[i]) for c in cols))
        values = live.update(bar)
        assert values.keys() == full.keys()
        for name, value in values.items():
            assert _same(_as_tuple(value), full[name][i]), (name, i)
    assert live.values == values


def test_indicator_set_from_candles_equals_from_history():
    from smtdesk.core.candles import Candles

    data = synthetic_candles(300, 5)
    candles = Candles(
        np.arange(300, dtype=np.int64) * 3_600_000,
        data["close"],
        data["high"],
        data["low"],
        data["close"],
        data["volume"],
    )
    cols = [data[k] for k in ("high", "low", "close", "volume")]
    config = ind.IndicatorConfig(sma_periods=(7,), rsi_period=5, bb_squeeze_period=30)
    from_candles = ind.IndicatorSet.from_candles(candles, config=config)
    from_history = ind.IndicatorSet.from_history(*cols, config=config)
    assert from_candles.values == from_history.values
    assert "sma7" in from_candles.values and "sma20" not in from_candles.values
    assert from_candles.values["rsi"] == ind.rsi(data["close"], 5)[-1]
