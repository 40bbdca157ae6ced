"""The local market data cache: candles and derivatives per (venue, symbol, timeframe).

Everything here can be fetched again from an exchange, so an unreadable cache file is
moved aside (never deleted, in case someone wants to look at it) and a fresh one is built;
the user's own data lives in another file (:mod:`smtdesk.data.userstore`) and is never
touched by that. Writes are one transaction per call, in WAL mode: a crash loses at most
the write in progress, never a committed one.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from smtdesk.core.candles import Candles, timeframe_ms
from smtdesk.data.derivatives import DerivSeries, Liquidation

SCHEMA_VERSION = 1
# Candles are kept in blocks of this many candle slots, each one little-endian float64
# array of rows (time, open, high, low, close, volume): loading a long series is then a
# few hundred blob reads instead of a Python object per value.
CHUNK_CANDLES = 1000
_ROW = np.dtype("<f8")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS series (
    id INTEGER PRIMARY KEY,
    venue TEXT NOT NULL, symbol TEXT NOT NULL, timeframe TEXT NOT NULL,
    UNIQUE (venue, symbol, timeframe)
);
CREATE TABLE IF NOT EXISTS candle_chunks (
    series INTEGER NOT NULL, chunk INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (series, chunk)
);
CREATE TABLE IF NOT EXISTS derivatives (
    venue TEXT NOT NULL, symbol TEXT NOT NULL, kind TEXT NOT NULL, period TEXT NOT NULL,
    time INTEGER NOT NULL, value REAL NOT NULL,
    PRIMARY KEY (venue, symbol, kind, period, time)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS liquidations (
    venue TEXT NOT NULL, symbol TEXT NOT NULL, time INTEGER NOT NULL, side TEXT NOT NULL,
    price REAL NOT NULL, amount REAL NOT NULL,
    PRIMARY KEY (venue, symbol, time, side, price, amount)
) WITHOUT ROWID;
"""


def move_aside(path: Path, reason: str) -> Path:
    """Rename ``path`` (and its WAL/SHM companions) to a dated ``.unreadable`` name."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    target = path.with_name(f"{path.name}.unreadable-{stamp}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    (target.with_name(target.name + ".why.txt")).write_text(reason + "\n")
    return target


def connect(path: Path, *, synchronous: str) -> sqlite3.Connection:
    """A WAL-mode connection that raises on a damaged file instead of opening it."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {result}")
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return conn


class CandleStore:
    """The market data cache file.

    Parameters
    ----------
    path
        The SQLite file; created when missing.
    on_notice
        Receives a user-facing message when the file had to be moved aside.
    """

    def __init__(self, path: str | Path, *, on_notice: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.notice: str | None = None
        try:
            self._conn = self._open()
        except sqlite3.DatabaseError as exc:
            moved = move_aside(self.path, f"{type(exc).__name__}: {exc}")
            self.notice = (
                f"The market data cache could not be read ({exc}); it was moved to "
                f"{moved.name} and is being rebuilt from the exchange. Your swings, "
                "drawings and alerts are kept in a separate file and are not affected."
            )
            self._conn = self._open()
            if on_notice is not None:
                on_notice(self.notice)

    def _open(self) -> sqlite3.Connection:
        # NORMAL is crash-safe in WAL mode for a killed process; only a power cut can
        # roll back the last commits, and this cache can always be fetched again.
        conn = connect(self.path, synchronous="NORMAL")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise sqlite3.DatabaseError(f"unknown cache schema version {version}")
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        self._conn.close()

    def _series_id(self, venue: str, symbol: str, timeframe: str, *, create: bool) -> int | None:
        row = self._conn.execute(
            "SELECT id FROM series WHERE venue=? AND symbol=? AND timeframe=?",
            (venue, symbol, timeframe),
        ).fetchone()
        if row is not None or not create:
            return None if row is None else row[0]
        cur = self._conn.execute(
            "INSERT INTO series (venue, symbol, timeframe) VALUES (?, ?, ?)",
            (venue, symbol, timeframe),
        )
        return cur.lastrowid

    # ---- candles -------------------------------------------------------------------

    def save_candles(self, venue: str, symbol: str, timeframe: str, candles: Candles) -> None:
        """Insert or replace closed candles (equal open time: the new one wins), atomically.

        Only closed candles belong here: a still-forming candle would be kept as if final.
        """
        if len(candles) == 0:
            return
        span = timeframe_ms(timeframe) * CHUNK_CANDLES
        new = np.column_stack([candles.time.astype(np.float64), candles.open, candles.high,
                               candles.low, candles.close, candles.volume])
        chunk_of = candles.time // span
        with self._transaction():
            sid = self._series_id(venue, symbol, timeframe, create=True)
            for chunk in np.unique(chunk_of).tolist():
                rows = new[chunk_of == chunk]
                old = self._conn.execute("SELECT data FROM candle_chunks WHERE series=? AND chunk=?",
                                         (sid, chunk)).fetchone()
                if old is not None:
                    kept = np.frombuffer(old[0], _ROW).reshape(-1, 6)
                    kept = kept[~np.isin(kept[:, 0], rows[:, 0])]
                    rows = np.concatenate([kept, rows])
                    rows = rows[np.argsort(rows[:, 0], kind="stable")]
                self._conn.execute("INSERT OR REPLACE INTO candle_chunks VALUES (?, ?, ?, ?)",
                                   (sid, chunk, len(rows), rows.astype(_ROW).tobytes()))

    def load_candles(self, venue: str, symbol: str, timeframe: str, *,
                     since: int | None = None) -> Candles:
        """The cached series (from open time ``since`` on), empty when nothing is cached."""
        sid = self._series_id(venue, symbol, timeframe, create=False)
        if sid is None:
            return Candles.empty()
        first = -(2**62) if since is None else since // (timeframe_ms(timeframe) * CHUNK_CANDLES)
        blobs = self._conn.execute(
            "SELECT data FROM candle_chunks WHERE series=? AND chunk>=? ORDER BY chunk",
            (sid, first),
        ).fetchall()
        if not blobs:
            return Candles.empty()
        arr = np.frombuffer(b"".join(b[0] for b in blobs), _ROW).reshape(-1, 6)
        if since is not None:
            arr = arr[arr[:, 0] >= since]
        return Candles(arr[:, 0].astype(np.int64), *(arr[:, i] for i in range(1, 6)))

    def last_time(self, venue: str, symbol: str, timeframe: str) -> int | None:
        """Open time of the newest cached candle, or None."""
        sid = self._series_id(venue, symbol, timeframe, create=False)
        if sid is None:
            return None
        row = self._conn.execute(
            "SELECT data FROM candle_chunks WHERE series=? ORDER BY chunk DESC LIMIT 1", (sid,)
        ).fetchone()
        return None if row is None else int(np.frombuffer(row[0], _ROW)[-6])

    def count_candles(self, venue: str, symbol: str, timeframe: str) -> int:
        sid = self._series_id(venue, symbol, timeframe, create=False)
        if sid is None:
            return 0
        row = self._conn.execute("SELECT SUM(n) FROM candle_chunks WHERE series=?", (sid,)).fetchone()
        return int(row[0] or 0)

    # ---- derivatives -----------------------------------------------------------------

    def save_series(self, venue: str, series: DerivSeries) -> None:
        if len(series) == 0:
            return
        rows = ((venue, series.symbol, series.kind, series.period, t, v)
                for t, v in zip(series.time.tolist(), series.value.tolist()))
        with self._transaction():
            self._conn.executemany("INSERT OR REPLACE INTO derivatives VALUES (?, ?, ?, ?, ?, ?)", rows)

    def load_series(self, venue: str, symbol: str, kind: str, period: str) -> DerivSeries:
        rows = self._conn.execute(
            "SELECT time, value FROM derivatives WHERE venue=? AND symbol=? AND kind=? AND period=? "
            "ORDER BY time",
            (venue, symbol, kind, period),
        ).fetchall()
        return DerivSeries.from_points(symbol, kind, period, rows)

    def save_liquidations(self, venue: str, events: Iterable[Liquidation]) -> None:
        rows = [(venue, e.symbol, e.time, e.side, e.price, e.amount) for e in events]
        with self._transaction():
            self._conn.executemany("INSERT OR IGNORE INTO liquidations VALUES (?, ?, ?, ?, ?, ?)", rows)

    def load_liquidations(self, venue: str, symbol: str, *, since: int = 0) -> list[Liquidation]:
        rows = self._conn.execute(
            "SELECT symbol, time, side, price, amount FROM liquidations "
            "WHERE venue=? AND symbol=? AND time>=? ORDER BY time",
            (venue, symbol, since),
        ).fetchall()
        return [Liquidation(*r) for r in rows]

    # ---- plumbing --------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        self._conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")
