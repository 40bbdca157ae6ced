"""The fake exchange answers in Binance's own body shapes, so what ccxt parses in the tests
is what it parses in the app."""

from __future__ import annotations

import json

import aiohttp
import pytest

from tests.data.conftest import market, run
from tests.data.fake_binance import FIXTURES, Fault, error_body

RECORDED = {
    "/fapi/v1/klines?symbol=BTCUSDT&interval=1h&limit=3": "klines",
    "/fapi/v1/fundingRate?symbol=BTCUSDT&limit=3": "funding_rate",
    "/futures/data/openInterestHist?symbol=BTCUSDT&period=1h&limit=3": "open_interest_historical",
    "/futures/data/globalLongShortAccountRatio?symbol=BTCUSDT&period=1h&limit=3":
        "global_long_short_account_ratio",
    "/futures/data/topLongShortAccountRatio?symbol=BTCUSDT&period=1h&limit=3":
        "top_long_short_account_ratio",
    "/futures/data/topLongShortPositionRatio?symbol=BTCUSDT&period=1h&limit=3":
        "top_long_short_position_ratio",
}


def shape(row):
    """Field names (or positions) with the JSON type of each value."""
    if isinstance(row, list):
        return [type(v).__name__ for v in row]
    return {k: type(v).__name__ for k, v in row.items()}


@pytest.mark.parametrize("path", list(RECORDED), ids=list(RECORDED.values()))
def test_bodies_have_the_recorded_shape(tmp_path, path):
    recorded = json.loads((FIXTURES / "binance_fapi" /
                           f"http_futures_market_{RECORDED[path]}.json").read_text())

    async def body():
        async with market(tmp_path) as m, aiohttp.ClientSession() as http:
            async with http.get(m.fake.base_url + path) as resp:
                assert resp.status == 200
                served = await resp.json()
        assert len(served) == 3
        want = shape(recorded[0])
        for row in served:
            got = shape(row)
            if isinstance(want, dict):
                # today's fundingRate also carries markPrice; every recorded field is there
                got = {k: v for k, v in got.items() if k in want}
            assert got == want

    run(body())


@pytest.mark.parametrize("fault,status,case", [
    ("429", 429, "rate_limited_429"),
    ("418", 418, "ip_banned_418"),
    ("bad_symbol", 400, "invalid_symbol"),
])
def test_error_bodies_are_binances(tmp_path, fault, status, case):
    async def body():
        async with market(tmp_path) as m, aiohttp.ClientSession() as http:
            m.fake.fail("klines", Fault(fault, retry_after=30))
            async with http.get(m.fake.base_url + "/fapi/v1/klines?symbol=BTCUSDT&interval=1h") as resp:
                assert resp.status == status
                served = await resp.json()
                retry_after = resp.headers.get("Retry-After")
        want = error_body(case)
        assert served["code"] == want["code"]
        if fault == "418":
            assert served["msg"].startswith("Way too many requests; IP(203.0.113.7) banned until ")
        else:
            assert served == want
        assert retry_after == (None if fault == "bad_symbol" else "30")

    run(body())
