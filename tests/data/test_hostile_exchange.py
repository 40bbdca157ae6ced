"""Hostile exchange answers through the real worker, store and ccxt against the fake Binance.

Each case: what the user is told, that no impossible candle is stored, and that every good
candle is (the refused one is asked for again; refused again, it stays a gap)."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt

from smtdesk.ui.notice import NoticeStack
from tests.data.conftest import BTC, ETH, market, until
from tests.data.fake_binance import HOUR_MS, POISONS, Fault
from tests.data.test_worker_faults import LIVE, run_worker, still_live
from tests.ui.probes import notice_cards

# how each poisoned candle is worded to the user
REASONS = {
    "negative_volume": "its volume is negative",
    "high_below_low": "its high and low do not contain its open and close",
    "close_above_high": "its high and low do not contain its open and close",
    "zero_price": "a price is zero or negative",
    "negative_price": "a price is zero or negative",
    "nan_price": "a price is not a number",
    "off_grid": "its open time is not on the 1h grid",
    "future": "it opens after the exchange's clock",
}


def poisoned_time(m, page: int) -> int:
    """Open time of the candle the fake poisons on BTC's ``page``-th backfill page
    (1000 candles back, 200 a page, the middle one of each page)."""
    truth = m.truth("BTCUSDT")
    return int(truth[-1000 + 200 * page + 99, 0])


@pytest.mark.parametrize("kind", list(REASONS))
def test_an_impossible_candle_is_refused_asked_again_and_never_stored(tmp_path, on_qt_loop, kind):
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, None, Fault(kind))
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            told = [f for f in seen.of("problem") if "cannot be right" in f]
            assert len(told) == 1, seen.of("problem")
            assert told[0].startswith("Binance USD-M sent 1 1h candle(s) of BTC/USDT:USDT that "
                                      "cannot be right")
            assert REASONS[kind] in told[0] and "not stored, asked for again" in told[0]
            await asyncio.wait_for(still_live(m, seen), 8)
            # asked again, the exchange sent it right: nothing lost, nothing wrong kept
            m.assert_stored_is_truth(BTC)
            np.testing.assert_array_equal(m.stored(ETH), m.truth("ETHUSDT")[-1000:])
            await worker.stop()

    on_qt_loop(body())


def test_a_candle_refused_every_time_is_a_gap_and_the_series_goes_on(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path) as m:
            # the page and the one re-ask both carry the bad candle
            m.fake.fail("klines", None, None, Fault("negative_volume"), Fault("negative_volume"))
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            await asyncio.wait_for(still_live(m, seen), 8)
            bad = poisoned_time(m, 2)
            statuses = seen.of("status")
            assert any("has no data for 1 1h candle(s) of BTC/USDT:USDT; shown as a gap" in s
                       for s in statuses), statuses
            stored = m.stored(BTC)
            truth = m.truth("BTCUSDT")[-1000:]
            np.testing.assert_array_equal(stored, truth[truth[:, 0] != bad])
            assert (stored[:, 5] >= 0).all()
            await worker.stop()

    on_qt_loop(body())


def test_a_restart_after_a_refusal_is_not_locked_out(tmp_path, on_qt_loop):
    """Finding 1: the refused candle was never stored, so a second start goes live too."""
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, None, Fault("negative_volume"), Fault("negative_volume"))
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            await worker.stop()
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            assert not [f for f in seen.of("problem") if "negative" in f]
            await asyncio.wait_for(still_live(m, seen), 8)
            await worker.stop()

    on_qt_loop(body())


def test_two_different_candles_for_one_time_keep_neither_and_ask_again(tmp_path, on_qt_loop):
    """Finding 9: the conflicting pair used to keep the later one as merely "repeated"."""
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, None, Fault("conflict"))
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            told = [f for f in seen.of("problem") if "two different" in f]
            assert told == [f"Binance USD-M sent two different 1h candles of BTC/USDT:USDT for "
                            f"{np.datetime64(poisoned_time(m, 2), 'ms').astype(str)[:16].replace('T', ' ')}"
                            " UTC: one time; kept neither, asked for again"]
            assert not any("repeated" in s for s in seen.of("status"))
            m.assert_stored_is_truth(BTC)
            await worker.stop()

    on_qt_loop(body())


def test_a_redirect_loop_is_named_as_such(tmp_path, on_qt_loop):
    """Finding 9: it used to read "dropped the connection"."""
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, None, Fault("redirect_loop"))
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            statuses = seen.of("status")
            assert any("Binance USD-M keeps redirecting our requests in a loop" in s for s in statuses)
            assert not any("dropped the connection" in s for s in statuses)
            m.assert_stored_is_truth(BTC)
            await worker.stop()

    on_qt_loop(body())


def test_an_exchange_clock_years_ahead_is_named_and_nothing_is_fetched(tmp_path, on_qt_loop):
    """Finding 9: it used to read "sent an empty page of candles"."""
    async def body():
        async with market(tmp_path) as m:
            m.fake.clock_skew_ms = 3 * 365 * 24 * HOUR_MS
            worker, seen = await run_worker(m)
            await until(lambda: any("one of them is wrong" in f for f in seen.of("problem")))
            told = next(f for f in seen.of("problem") if "one of them is wrong" in f)
            assert "Binance USD-M's clock reads" in told and "Check this computer's date" in told
            assert not any("empty page" in t for t in seen.of("problem") + seen.of("status"))
            assert m.fake.count("klines") == 0
            assert len(m.stored(BTC)) == 0
            await worker.stop()

    on_qt_loop(body())


def test_a_huge_exchange_error_is_cut_short(tmp_path, on_qt_loop):
    """Finding 6: a 1 MB message reached the banner whole."""
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, None, Fault("huge_error"))
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            told = [f for f in seen.of("problem") if "refused" in f]
            assert len(told) == 1 and len(told[0]) < 600, len(told[0])
            assert "characters)" in told[0]
            m.assert_stored_is_truth(BTC)
            await worker.stop()

    on_qt_loop(body())


def test_a_bad_forming_candle_on_the_websocket_is_not_shown(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path) as m:
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            await asyncio.wait_for(still_live(m, seen), 8)
            shown = len(seen.of("forming"))
            forming = m.fake.forming("BTCUSDT")
            bad = [forming[0], forming[1], forming[2], forming[3], forming[4], -3.0]
            while not any("cannot be right" in f for f in seen.of("problem")):
                await m.fake.push_kline("BTCUSDT", bad, closed=False)
                await asyncio.sleep(0.05)
            assert all(u.candles.volume[-1] >= 0 for u in seen.of("forming")[shown:])
            await asyncio.wait_for(still_live(m, seen), 8)
            m.assert_stored_is_truth(BTC)
            await worker.stop()

    on_qt_loop(body())


def test_every_poison_the_fake_knows_is_covered():
    assert set(POISONS) == set(REASONS)


def test_an_answer_over_the_size_cap_is_refused_unread(tmp_path, on_qt_loop):
    """Finding 6: a 300 MB klines body was read and parsed whole on the event loop."""
    async def body():
        async with market(tmp_path, max_body_bytes=100_000) as m:
            m.fake.fail("klines", None, None, Fault("huge_body"))
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            statuses = seen.of("status")
            assert any("Binance USD-M sent an answer of 0.3 MB or more, over the 0.1 MB cap "
                       "(refused unread); retrying" in s for s in statuses), statuses
            m.assert_stored_is_truth(BTC)
            await worker.stop()

    on_qt_loop(body())


def test_a_large_answer_is_parsed_off_the_event_loop(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path, page_limit=1000, off_loop_chars=50_000) as m:
            parse = m.source._ex.on_json_response
            threads = []

            def spy(text):
                threads.append((len(text), threading.current_thread() is threading.main_thread()))
                return parse(text)

            m.source._ex.on_json_response = spy
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            large = [on_main for size, on_main in threads if size >= 50_000]
            assert large and not any(large), threads
            m.assert_stored_is_truth(BTC)
            await worker.stop()

    on_qt_loop(body())


def test_exchange_markup_is_shown_as_plain_text(tmp_path, on_qt_loop):
    """Finding 6: headings, links and images in an exchange's message rendered."""
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, None, Fault("markup_error"))
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            told = next(f for f in seen.of("problem") if "Pwned" in f)
            await worker.stop()
            return told

    told = on_qt_loop(body())
    notices = NoticeStack()
    notices.warn(told)
    assert notice_cards(notices)[0].label.textFormat() == Qt.PlainText
    assert '<h1>Pwned</h1><a href=\\"http://evil\\">click</a>' in notices.text()
