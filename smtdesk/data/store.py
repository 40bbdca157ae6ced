"""The local market data cache: candles and derivatives per (venue, symbol, timeframe).

Everything here can be fetched again from an exchange, so a damaged cache file is moved
aside (never deleted, in case someone wants to look at it) and a fresh one is built; the
user's own data lives in another file (:mod:`smtdesk.data.userstore`) and is never touched
by that. A file that only cannot be used for now (read-only, disk full, locked) is not
damaged: it is left alone, the candles are kept in memory for the session and the user is
told why. A damaged block of candles inside a healthy file is set aside in its own table
and the series from there on is fetched again. Writes are one transaction per call, in
WAL mode: a crash loses at most the write in progress, never a committed one.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from smtdesk.core.candles import Candles, describe_refusals, gate, timeframe_ms
from smtdesk.data.derivatives import DerivSeries, Liquidation
from smtdesk.errors import StorageError

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
CREATE TABLE IF NOT EXISTS damaged_chunks (
    series INTEGER NOT NULL, chunk INTEGER NOT NULL, data BLOB, reason TEXT NOT NULL,
    set_aside_at TEXT NOT NULL
);
"""

# SQLite result codes of a file that is fine but cannot be used right now.
_TRANSIENT = ("SQLITE_READONLY", "SQLITE_FULL", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN",
              "SQLITE_IOERR", "SQLITE_PERM", "SQLITE_AUTH", "SQLITE_NOLFS")


def is_transient(exc: sqlite3.Error) -> bool:
    """True for a file that cannot be used for now (read-only, disk full, locked, I/O),
    False for one that is damaged."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(_TRANSIENT)


def _os_reason(path: Path | None) -> int | None:
    """The OS error number that keeps ``path`` from being written (opening it, then writing
    a file beside it), or None when both work."""
    if path is None:
        return None
    try:
        if path.exists():
            with open(path, "r+b"):
                pass
        with tempfile.TemporaryFile(dir=path.parent) as fh:
            fh.write(b"\0" * 65536)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        return exc.errno
    return None


def write_problem(path: Path) -> str | None:
    """Why ``path`` cannot be written now, in the user's words, or None when it can."""
    code = _os_reason(path)
    if code is None:
        return None
    return storage_problem(OSError(code, os.strerror(code)))


def storage_problem(exc: BaseException, path: Path | None = None) -> str:
    """What keeps a file (``path``, when known) from being used, in the user's words."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    code = exc.errno if isinstance(exc, OSError) else _os_reason(path)
    if code is not None:
        if code == errno.ENOSPC:
            return "the disk is full"
        if code in (errno.EACCES, errno.EPERM, errno.EROFS):
            return "it is read-only"
        if isinstance(exc, OSError):
            return exc.strerror or str(exc)
    if name.startswith("SQLITE_FULL") or "disk is full" in text or "No space" in text:
        what = "the disk is full"
    elif name.startswith(("SQLITE_READONLY", "SQLITE_PERM")) or "readonly" in text:
        what = "it is read-only"
    elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        what = "another program holds it locked"
    else:
        what = f"it cannot be opened or written ({text})"
    return what


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
        Receives each user-facing message: the file moved aside or kept in memory, a
        damaged block of candles set aside. They are also kept in ``notices``.
    """

    def __init__(self, path: str | Path, *, on_notice: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.notices: list[str] = []
        self.on_notice = on_notice
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = self._open(self.path)
        except (sqlite3.Error, OSError) as exc:
            # SQLite reports a full disk as a malformed file at times: only a file the
            # disk can take writes for is taken for damaged
            damaged = isinstance(exc, sqlite3.DatabaseError) and not is_transient(exc)
            if damaged and _os_reason(self.path) is None:
                self._conn = self._rebuild(exc)
            else:
                self._conn = self._open(":memory:")
                self._tell(f"The market data cache ({self.path}) cannot be used for now: "
                           f"{storage_problem(exc, self.path)}. "
                           "It was left as it is; candles are kept in memory until smtdesk "
                           "restarts, and fetched again then.")

    def _rebuild(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection:
        moved = move_aside(self.path, f"{type(exc).__name__}: {exc}")
        conn = self._open(self.path)
        self._tell(
            f"The market data cache could not be read ({exc}); it was moved to "
            f"{moved.name} and is being rebuilt from the exchange. Your swings, "
            "drawings and alerts are kept in a separate file and are not affected."
        )
        return conn

    def _tell(self, message: str) -> None:
        self.notices.append(message)
        if self.on_notice is not None:
            self.on_notice(message)

    def _open(self, path: Path | str) -> sqlite3.Connection:
        # NORMAL is crash-safe in WAL mode for a killed process; only a power cut can
        # roll back the last commits, and this cache can always be fetched again.
        conn = connect(path, synchronous="NORMAL")
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
        A row that is not a candle (see :func:`smtdesk.core.candles.gate`) is never stored:
        it is left out and reported. Raises :class:`StorageError` when the file cannot be
        written for now (nothing of the call is stored then).
        """
        if len(candles) == 0:
            return
        span = timeframe_ms(timeframe) * CHUNK_CANDLES
        new = np.column_stack([candles.time.astype(np.float64), candles.open, candles.high,
                               candles.low, candles.close, candles.volume])
        new, refused = gate(new, timeframe)
        if refused:
            self._tell(f"{len(refused)} {venue} {symbol} {timeframe} candle(s) were not stored, "
                       f"they cannot be right ({describe_refusals(refused)})")
        chunk_of = new[:, 0].astype(np.int64) // span
        # candles are sorted by time, so each chunk's rows are one contiguous run
        starts = np.flatnonzero(np.diff(chunk_of, prepend=chunk_of[:1] - 1))
        ends = np.append(starts[1:], len(new))
        with self._writing(), self._transaction():
            sid = self._series_id(venue, symbol, timeframe, create=True)
            for a, b in zip(starts.tolist(), ends.tolist()):
                chunk, rows = int(chunk_of[a]), new[a:b]
                old = self._conn.execute("SELECT data FROM candle_chunks WHERE series=? AND chunk=?",
                                         (sid, chunk)).fetchone()
                if old is not None:
                    kept = np.frombuffer(old[0], _ROW).reshape(-1, 6)
                    kept = kept[~np.isin(kept[:, 0], rows[:, 0])]
                    rows = np.concatenate([kept, rows])
                    rows = rows[np.argsort(rows[:, 0], kind="stable")]
                self._conn.execute("INSERT OR REPLACE INTO candle_chunks VALUES (?, ?, ?, ?)",
                                   (sid, chunk, len(rows), rows.astype(_ROW).tobytes()))

    def _decode(self, timeframe: str, chunk: int, n: int, blob: object) -> np.ndarray:
        """The rows of one stored block; raise ValueError saying how it is damaged."""
        if not isinstance(blob, bytes) or len(blob) % (6 * _ROW.itemsize):
            raise ValueError("its size is not a whole number of candles")
        arr = np.frombuffer(blob, _ROW).reshape(-1, 6)
        span = timeframe_ms(timeframe) * CHUNK_CANDLES
        if len(arr) != n or len(arr) == 0:
            raise ValueError(f"it holds {len(arr)} candles where {n} were written")
        _, refused = gate(arr, timeframe)
        if refused:
            raise ValueError(f"a row is not a candle ({describe_refusals(refused, limit=1)})")
        t = arr[:, 0]
        if np.any(np.diff(t) <= 0) or t[0] // span != chunk or t[-1] // span != chunk:
            raise ValueError("its times are out of order or outside the block")
        return arr

    def _set_aside(self, sid: int, venue: str, symbol: str, timeframe: str, chunk: int,
                   reason: str) -> None:
        """Keep a damaged block for inspection and drop it and every later one, so the
        series is fetched again from its last sound candle."""
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._writing(), self._transaction():
            self._conn.execute(
                "INSERT INTO damaged_chunks SELECT series, chunk, data, ?, ? FROM candle_chunks "
                "WHERE series=? AND chunk=?", (reason, stamp, sid, chunk))
            self._conn.execute("DELETE FROM candle_chunks WHERE series=? AND chunk>=?", (sid, chunk))
        self._tell(f"A block of cached {venue} {symbol} {timeframe} candles was damaged ({reason}); "
                   "it was set aside and the candles from there on are fetched again.")

    def _chunks(self, venue: str, symbol: str, timeframe: str, where: str,
                args: tuple) -> list[np.ndarray]:
        """Decoded blocks of a series; a damaged one ends the list (see :meth:`_set_aside`)."""
        sid = self._series_id(venue, symbol, timeframe, create=False)
        if sid is None:
            return []
        rows = self._conn.execute(
            f"SELECT chunk, n, data FROM candle_chunks WHERE series=? {where}", (sid, *args)
        ).fetchall()
        decoded = []
        for chunk, n, blob in rows:
            try:
                decoded.append(self._decode(timeframe, chunk, n, blob))
            except ValueError as exc:
                self._set_aside(sid, venue, symbol, timeframe, chunk, str(exc))
                return self._chunks(venue, symbol, timeframe, where, args)
        return decoded

    def load_candles(self, venue: str, symbol: str, timeframe: str, *,
                     since: int | None = None) -> Candles:
        """The cached series (from open time ``since`` on), empty when nothing is cached."""
        first = -(2**62) if since is None else since // (timeframe_ms(timeframe) * CHUNK_CANDLES)
        blocks = self._chunks(venue, symbol, timeframe, "AND chunk>=? ORDER BY chunk", (first,))
        if not blocks:
            return Candles.empty()
        arr = np.concatenate(blocks)
        if since is not None:
            arr = arr[arr[:, 0] >= since]
        return Candles(arr[:, 0].astype(np.int64), *(arr[:, i] for i in range(1, 6)))

    def series(self, venue: str) -> list[tuple[str, str]]:
        """(symbol, timeframe) of every series of ``venue`` that holds candles."""
        rows = self._conn.execute(
            "SELECT symbol, timeframe FROM series WHERE venue=? AND EXISTS "
            "(SELECT 1 FROM candle_chunks WHERE candle_chunks.series = series.id) ORDER BY symbol",
            (venue,)).fetchall()
        return [(s, t) for s, t in rows]

    def last_time(self, venue: str, symbol: str, timeframe: str) -> int | None:
        """Open time of the newest cached candle, or None."""
        blocks = self._chunks(venue, symbol, timeframe, "ORDER BY chunk DESC LIMIT 1", ())
        return int(blocks[0][-1, 0]) if blocks else None

    def save_series(self, venue: str, series: DerivSeries) -> None:
        if len(series) == 0:
            return
        rows = ((venue, series.symbol, series.kind, series.period, t, v)
                for t, v in zip(series.time.tolist(), series.value.tolist()))
        with self._writing(), self._transaction():
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
        with self._writing(), self._transaction():
            self._conn.executemany("INSERT OR IGNORE INTO liquidations VALUES (?, ?, ?, ?, ?, ?)", rows)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)

    def _writing(self) -> _Writing:
        return _Writing(self.path)


class _Writing:
    """Turns a write the file cannot take for now into a :class:`StorageError`."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> None:
        if isinstance(exc, sqlite3.Error) and is_transient(exc):
            raise StorageError(f"The market data cache ({self._path}) cannot be written for now: "
                               f"{storage_problem(exc, self._path)}; the newest candles are not saved and "
                               "are fetched again later.") from exc


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._conn.execute("COMMIT")
        finally:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
