"""A damaged, read-only or full market cache: reported as what it is, never a lock-out.

A damaged block is set aside and its series fetched again (through the real worker and the
fake exchange); a file that only cannot be written for now is left as it is."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from smtdesk.core.candles import Candles
from smtdesk.data.store import CandleStore
from smtdesk.errors import StorageError
from tests.data.conftest import BTC, ETH, market, until
from tests.data.test_worker_faults import LIVE, run_worker, still_live

KEY = ("binanceusdm", BTC, "1h")
ROOT = os.geteuid() == 0


@contextlib.contextmanager
def read_only(path: Path):
    """``path`` made unwritable for this process: immutable for root, no write bit otherwise."""
    if ROOT:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
    try:
        yield
    finally:
        if ROOT:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(mode)


@contextlib.contextmanager
def tiny_disk(folder: Path, size_kb: int = 1024):
    """A small filesystem at ``folder`` to fill up (root only: it is a tmpfs mount)."""
    if not ROOT:
        pytest.skip("filling a disk needs a small tmpfs, which only root can mount")
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder: Path) -> None:
    fh = open(folder / "filler", "wb", buffering=0)
    try:
        while True:
            fh.write(b"\0" * 4096)
    except OSError:
        pass  # full
    finally:
        fh.close()


def series(n: int, start: int = 1_700_000_000_000 // 3_600_000 * 3_600_000) -> Candles:
    t = start + np.arange(n) * 3_600_000
    close = 100 + np.arange(n) % 7
    return Candles(t, close - 0.5, close + 1.0, close - 1.0, close, np.full(n, 10.0))


def damage(path: Path, how: str) -> None:
    """Corrupt BTC's second block of candles in a healthy cache file."""
    conn = sqlite3.connect(path)
    sid = conn.execute("SELECT id FROM series WHERE symbol=?", (BTC,)).fetchone()[0]
    chunk, n, data = conn.execute("SELECT chunk, n, data FROM candle_chunks WHERE series=? "
                                  "ORDER BY chunk LIMIT 1 OFFSET 0", (sid,)).fetchone()
    arr = np.frombuffer(data, "<f8").reshape(-1, 6).copy()
    if how == "truncated":
        data = data[:-3]
    elif how == "negative_volume":  # as an older version stored it
        arr[len(arr) // 2, 5] = -4.0
        data = arr.tobytes()
    elif how == "count":
        n = n + 5
    elif how == "order":
        arr[[1, 2]] = arr[[2, 1]]
        data = arr.tobytes()
    conn.execute("UPDATE candle_chunks SET n=?, data=? WHERE series=? AND chunk=?", (n, data, sid, chunk))
    conn.commit()
    conn.close()


@pytest.mark.parametrize("how,reason", [
    ("truncated", "its size is not a whole number of candles"),
    ("negative_volume", "a row is not a candle"),
    ("count", "candles where"),
    ("order", "out of order"),
])
def test_a_damaged_block_is_set_aside_and_fetched_again(tmp_path, on_qt_loop, how, reason):
    """Finding 2 (and 1 after a restart): it stopped the worker at every start."""
    async def body():
        async with market(tmp_path) as m:
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            await worker.stop()
        damage(tmp_path / "cache.sqlite", how)
        async with market(tmp_path) as m:
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            told = [f for f in seen.of("problem") if "damaged" in f]
            assert len(told) == 1 and reason in told[0], seen.of("problem")
            assert "set aside and the candles from there on are fetched again" in told[0]
            await asyncio.wait_for(still_live(m, seen), 8)
            m.assert_stored_is_truth(BTC, ETH)
            kept = sqlite3.connect(tmp_path / "cache.sqlite").execute(
                "SELECT COUNT(*) FROM damaged_chunks").fetchone()[0]
            assert kept == 1
            await worker.stop()

    on_qt_loop(body())


def test_a_read_only_cache_is_left_alone_and_candles_kept_in_memory(tmp_path):
    """Finding 4: a healthy read-only cache was renamed .unreadable-* and rebuilt."""
    path = tmp_path / "cache.sqlite"
    store = CandleStore(path)
    store.save_candles(*KEY, series(50))
    store.close()
    before = path.read_bytes()
    with read_only(path), read_only(tmp_path):
        store = CandleStore(path)
        assert store.notices == [f"The market data cache ({path}) cannot be used for now: it is "
                                 "read-only. It was left as it is; candles are kept in memory until "
                                 "smtdesk restarts, and fetched again then."]
        store.save_candles(*KEY, series(5))
        assert len(store.load_candles(*KEY)) == 5
        store.close()
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if "unreadable" in p.name]


def test_a_full_disk_at_start_is_not_taken_for_damage(tmp_path):
    """Finding 4: with the disk full the cache was moved aside and the app then crashed."""
    with tiny_disk(tmp_path / "disk") as disk:
        store = CandleStore(disk / "cache.sqlite")
        store.save_candles(*KEY, series(20))
        store.close()
        fill(disk)
        store = CandleStore(disk / "cache.sqlite")
        assert store.notices and "cannot be used for now: the disk is full" in store.notices[0]
        assert not [p for p in disk.iterdir() if "unreadable" in p.name]
        store.close()
        (disk / "filler").unlink()
        store = CandleStore(disk / "cache.sqlite")
        assert len(store.load_candles(*KEY)) == 20, "nothing good lost"
        store.close()


def test_a_full_disk_during_a_save_raises_a_storage_error_and_keeps_what_was_saved(tmp_path):
    with tiny_disk(tmp_path / "disk") as disk:
        store = CandleStore(disk / "cache.sqlite")
        store.save_candles(*KEY, series(20))
        fill(disk)
        with pytest.raises(StorageError, match="cannot be written for now: the disk is full"):
            store.save_candles(*KEY, series(60_000, start=1_750_000_000_000 // 3_600_000 * 3_600_000))
        (disk / "filler").unlink()
        assert len(store.load_candles(*KEY)) == 20
        store.close()


def test_a_truly_unreadable_file_is_still_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    store = CandleStore(path)
    assert "moved to cache.sqlite.unreadable-" in store.notices[0]
    assert [p for p in tmp_path.iterdir() if p.name.startswith("cache.sqlite.unreadable-")]
    store.save_candles(*KEY, series(3))
    assert len(store.load_candles(*KEY)) == 3
    store.close()


def test_a_candle_that_is_not_one_is_never_saved(tmp_path):
    store = CandleStore(tmp_path / "cache.sqlite")
    c = series(4)
    bad = Candles(c.time, c.open, c.high, c.low, c.close, np.array([1.0, -1.0, 2.0, 3.0]))
    store.save_candles(*KEY, bad)
    got = store.load_candles(*KEY)
    np.testing.assert_array_equal(got.time, c.time[[0, 2, 3]])
    assert "1 binanceusdm BTC/USDT:USDT 1h candle(s) were not stored" in store.notices[0]
    assert "its volume is negative" in store.notices[0]
    store.close()


def test_saving_grows_linearly_with_the_number_of_blocks(tmp_path):
    """Finding 9: 3.8M candles took 13 s, each block scanning every candle."""
    def save_seconds(n: int) -> float:
        store = CandleStore(tmp_path / f"cache{n}.sqlite")
        c = series(n)
        # the CPU time of the work, not the wall clock: a disk that stalls a moment is not
        # the algorithm growing
        t0 = time.process_time()
        store.save_candles(*KEY, c)
        seconds = time.process_time() - t0
        assert len(store.load_candles(*KEY)) == n
        store.close()
        return seconds

    small = min(save_seconds(100_000) for _ in range(3))
    large = save_seconds(1_600_000)
    # 16x the candles (and blocks): linear is ~16x (measured up to 30x with SQLite page growth); the old
    # per-block scan measured 136x
    assert large < 60 * small, (small, large)


def test_unreadable_swings_are_skipped_and_set_aside(tmp_path):
    from smtdesk.data.userstore import ManualSwing, UserStore

    path = tmp_path / "user.sqlite"
    store = UserStore(path)
    key = ("binanceusdm", BTC, "1h")
    store.set_swing(key, ManualSwing(1_700_000_000_000, "high", 100.0))
    store.set_swing(key, ManualSwing(1_700_003_600_000, "low", 90.0))
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE manual_swings SET price='abc' WHERE kind='low'")
    conn.commit()
    conn.close()
    store = UserStore(path)
    assert store.swings(key) == [ManualSwing(1_700_000_000_000, "high", 100.0)]
    assert len(store.notices) == 1
    assert "One saved manual swings entry" in store.notices[0]
    rows = store._conn.execute("SELECT source FROM damaged_rows ORDER BY source").fetchall()
    assert rows == [("manual_swings",)]
    store.close()
    store = UserStore(path)  # set aside once: nothing more to say
    store.swings(key)
    assert store.notices == []
    store.close()
