"""Child process for the kill test: commits 50-candle batches forever, reporting each."""

from __future__ import annotations

import sys

from smtdesk.core.candles import Candles
from tests.data.fake_binance import HOUR_MS


def write_forever(store) -> None:
    t = 1_735_603_200_000
    batch = 0
    while True:
        times = [t + (batch * 50 + i) * HOUR_MS for i in range(50)]
        rows = [[ts, 100.0, 101.0, 99.0, 100.5, 1.0] for ts in times]
        store.save_candles("binanceusdm", "BTC/USDT:USDT", "1h", Candles.from_rows(rows))
        batch += 1
        print(batch, flush=True)
        if batch > 100_000:
            sys.exit(0)
