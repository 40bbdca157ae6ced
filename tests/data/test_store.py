"""The store: nothing committed is lost, a damaged cache is set aside and rebuilt, and
the user's data is never dropped."""

from __future__ import annotations

from dataclasses import replace
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from smtdesk.core.candles import Candles
from smtdesk.data.derivatives import FUNDING, DerivSeries, Liquidation
from smtdesk.data.store import CandleStore
from smtdesk.data.sync import sync_candles
from smtdesk.data.userstore import ManualSwing, UserStore
from smtdesk.errors import UserDataError
from tests.data.conftest import BTC, market, recorded_liquidations, run
from tests.data.fake_binance import load_rows

KEY = ("binanceusdm", BTC, "1h")
REPO = Path(__file__).resolve().parents[2]


def candles(n: int = 300, start: int = 0) -> Candles:
    return Candles.from_rows(load_rows("BTCUSDT_1h.csv")[start:start + n])


def test_round_trip_and_replace(tmp_path):
    store = CandleStore(tmp_path / "c.sqlite")
    a = candles(300)
    store.save_candles(*KEY, a)
    store.save_candles(*KEY, candles(100, 250))  # overlap: same values, nothing doubled
    got = store.load_candles(*KEY)
    assert len(got) == 350 and store.last_time(*KEY) == int(got.time[-1])
    np.testing.assert_array_equal(got.close[:300], a.close)
    assert store.load_candles("binanceusdm", BTC, "4h").time.size == 0
    store.close()


def test_derivatives_and_liquidations_round_trip(tmp_path):
    store = CandleStore(tmp_path / "c.sqlite")
    s = DerivSeries.from_points(BTC, FUNDING, "8h", [(2, 0.0002), (1, 0.0001), (2, 0.0003)])
    assert s.time.tolist() == [1, 2] and s.value.tolist() == [0.0001, 0.0003]
    store.save_series("binanceusdm", s)
    back = store.load_series("binanceusdm", BTC, FUNDING, "8h")
    assert back.time.tolist() == [1, 2] and back.value.tolist() == [0.0001, 0.0003]
    ev = [Liquidation(BTC, 5, "sell", 90000.0, 0.5), Liquidation(BTC, 5, "sell", 90000.0, 0.5)]
    store.save_liquidations("binanceusdm", ev)
    assert recorded_liquidations(store, BTC) == [(5, "sell", 90000.0, 0.5)]


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {repo!r})
    from smtdesk.data.store import CandleStore
    from tests.data.store_writer import write_forever
    write_forever(CandleStore(sys.argv[1]))
""")


def test_sigkill_mid_write_loses_nothing_committed(tmp_path):
    path = tmp_path / "c.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", WRITER.format(repo=str(REPO)), str(path)],
                            stdout=subprocess.PIPE, text=True)
    committed = 0
    try:
        for line in proc.stdout:
            committed = int(line)
            if committed >= 40:
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    store = CandleStore(path)
    assert store.notices == []  # opened cleanly, nothing set aside
    n = len(store.load_candles(*KEY))
    # every reported commit is there; a batch the kill interrupted is all or nothing
    assert n >= committed * 50 and n % 50 == 0
    got = store.load_candles(*KEY)
    assert np.all(np.diff(got.time) > 0)
    store.close()


def _fill(tmp_path) -> tuple[Path, Path]:
    folder = tmp_path / "app"
    folder.mkdir()
    cache, user = folder / "cache.sqlite", folder / "user.sqlite"
    store = CandleStore(cache)
    store.save_candles(*KEY, candles(1200))
    store.close()
    us = UserStore(user)
    us.set_swing(KEY, ManualSwing(1735603200000, "high", 92875.4))
    us.record_alert("bearish:BTC:1735603200000", 1, {"state": "forming"})
    us.close()
    return cache, user


def _truncate(path: Path) -> None:
    os.truncate(path, 1000)


def _scribble(path: Path) -> None:
    rng = np.random.default_rng(7)
    data = bytearray(path.read_bytes())
    data[0:4096] = rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))


def _scribble_inside(path: Path) -> None:
    # header intact, b-tree pages overwritten: only the integrity check notices
    rng = np.random.default_rng(8)
    data = bytearray(path.read_bytes())
    data[8192:20480] = rng.integers(0, 256, 12288, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_truncate, _scribble, _scribble_inside],
                         ids=["truncated", "random header", "random pages"])
def test_damaged_cache_is_moved_aside_and_rebuilt(tmp_path, damage):
    cache, user = _fill(tmp_path)
    user_bytes = user.read_bytes()
    damage(cache)
    notices = []
    async def body():
        async with market(tmp_path) as m:
            m.store.close()
            m.store = CandleStore(cache, on_notice=notices.append)
            assert len(m.store.load_candles(*KEY)) == 0
            await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            np.testing.assert_array_equal(m.stored(), m.truth())

    run(body())
    assert len(notices) == 1 and "moved to cache.sqlite.unreadable-" in notices[0]
    assert "not affected" in notices[0]
    aside = [p for p in cache.parent.iterdir() if p.name.startswith("cache.sqlite.unreadable-")
             and not p.name.endswith((".why.txt", "-wal", "-shm"))]
    assert len(aside) == 1
    assert user.read_bytes() == user_bytes
    us = UserStore(user)
    assert us.swings(KEY) == [ManualSwing(1735603200000, "high", 92875.4)]
    assert [a.id for a in us.alerts()] == ["bearish:BTC:1735603200000"]


def test_unreadable_user_data_is_left_untouched(tmp_path):
    _, user = _fill(tmp_path)
    _scribble(user)
    damaged = user.read_bytes()
    with pytest.raises(UserDataError, match="left untouched"):
        UserStore(user)
    assert user.read_bytes() == damaged
    assert sorted(p.name for p in user.parent.iterdir() if p.name.startswith("user")) == ["user.sqlite"]


def test_migration_backs_up_first_and_keeps_data(tmp_path):
    _, user = _fill(tmp_path)

    def add_notes(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE trade_notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")

    from smtdesk.data.userstore import MIGRATIONS
    us = UserStore(user, migrations=[*MIGRATIONS, add_notes])
    assert us.version == len(MIGRATIONS) + 1
    assert us.swings(KEY) == [ManualSwing(1735603200000, "high", 92875.4)]
    assert us.backup_path is not None and us.backup_path.exists()
    old = sqlite3.connect(us.backup_path)
    assert old.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert old.execute("SELECT COUNT(*) FROM manual_swings").fetchone()[0] == 1
    old.close()
    us.close()
    with pytest.raises(UserDataError, match="newer smtdesk"):
        UserStore(user)  # this build only knows the older schema


def test_failed_migration_rolls_back(tmp_path):
    _, user = _fill(tmp_path)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("DROP TABLE manual_swings")
        raise RuntimeError("half-way")

    from smtdesk.data.userstore import MIGRATIONS
    with pytest.raises(RuntimeError):
        UserStore(user, migrations=[*MIGRATIONS, broken])
    us = UserStore(user)
    assert us.version == len(MIGRATIONS) and len(us.swings(KEY)) == 1


def test_user_store_records_an_alert_once(tmp_path):
    us = UserStore(tmp_path / "u.sqlite")
    assert us.record_alert("x", 1, {"a": 1}) is True
    assert us.record_alert("x", 2, {"a": 2}) is False
    assert [(a.raised_at, a.payload) for a in us.alerts()] == [(1, {"a": 1})]
    us.set_swing(KEY, ManualSwing(10, "low", 5.0))
    us.delete_swing(KEY, 10, "low")
    assert us.swings(KEY) == []


def test_batches_in_any_order_equal_one_merge(tmp_path):
    rng = np.random.default_rng(3)
    full = candles(1200)
    store = CandleStore(tmp_path / "c.sqlite")
    expected = Candles.empty()
    for _ in range(12):
        a = int(rng.integers(0, 1150))
        b = int(rng.integers(a + 1, min(a + 400, 1200) + 1))
        part = full[a:b]
        # a later save of the same candle replaces it: scale the prices to tell them apart
        k = float(rng.integers(1, 5))
        part = Candles(part.time, part.open * k, part.high * k, part.low * k, part.close * k, part.volume)
        store.save_candles(*KEY, part)
        expected = expected.merge(part)
    got = store.load_candles(*KEY)
    np.testing.assert_array_equal(got.time, expected.time)
    np.testing.assert_array_equal(got.close, expected.close)
    assert len(store.load_candles(*KEY)) == len(expected)
    assert store.last_time(*KEY) == int(expected.time[-1])
    since = int(expected.time[len(expected) // 2])
    np.testing.assert_array_equal(store.load_candles(*KEY, since=since).time,
                                  expected.time[expected.time >= since])


def test_journal_entries_round_trip_and_an_unreadable_one_is_set_aside(tmp_path):
    from smtdesk.core.journal import JournalEntry, Result

    us = UserStore(tmp_path / "u.sqlite")
    kept = us.save_journal(JournalEntry("sig", "demo", "ETH/USDT:USDT", "1h", False, 1, 100.0,
                                        104.0, 92.0, 0.5, notes="first", screenshots=("a.png",)))
    closed = us.save_journal(replace(kept, result=Result.WON, exit_price=92.0, exit_time=9))
    us._conn.execute("INSERT INTO journal (created_at, payload) VALUES (0, '{\"entry\": 1}')")
    assert us.journal() == [closed]
    assert closed.id == kept.id and closed.r == 2.0
    assert us._conn.execute("SELECT COUNT(*) FROM damaged_rows WHERE source='journal'").fetchone()[0] == 1


def test_deleted_automatic_swings_are_kept_per_series_and_a_v2_file_gains_their_table(tmp_path):
    from smtdesk.data.userstore import MIGRATIONS
    path = tmp_path / "u.sqlite"
    old = UserStore(path, migrations=MIGRATIONS[:2])  # the schema before deleted swings
    old.set_swing(KEY, ManualSwing(10, "low", 5.0))
    old.close()
    us = UserStore(path)
    assert us.version == len(MIGRATIONS) and us.backup_path is not None
    assert us.swings(KEY) == [ManualSwing(10, "low", 5.0)]
    us.suppress_swing(KEY, 20, "high")
    us.suppress_swing(KEY, 30, "low")
    us.suppress_swing(("binanceusdm", BTC, "4h"), 20, "high")
    us.restore_swing(KEY, 30, "low")
    us.close()
    again = UserStore(path)
    assert again.suppressed_swings(KEY) == [(20, "high")]
    assert again.suppressed_swings(("bybit", BTC, "1h")) == []
