"""The user's own data: manual and deleted swings, chart drawings, the trade journal and
alert history, in their own file.

Unlike the market cache this cannot be fetched again, so it is never moved aside or
rebuilt: an unreadable file raises :class:`UserDataError` and is left exactly as it was.
One unreadable row does not lock the user out: it is moved to the ``damaged_rows`` table
for inspection, reported, and the rest loads. A file that cannot be written for now
(read-only, disk full) is reported once; the app goes on and keeps alerts in memory.
Before a schema migration the file is copied next to itself; the version lives in
``PRAGMA user_version``.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from smtdesk.core.drawings import Drawing
from smtdesk.core.journal import JournalEntry, Result
from smtdesk.data.store import connect, is_transient, storage_problem, write_problem
from smtdesk.errors import StorageError, UserDataError

SeriesKey = tuple[str, str, str]  # (venue, symbol, timeframe)


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would commit first, breaking the all-or-nothing migration
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v1(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE manual_swings (
            venue TEXT NOT NULL, symbol TEXT NOT NULL, timeframe TEXT NOT NULL,
            time INTEGER NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('high', 'low')),
            price REAL NOT NULL,
            PRIMARY KEY (venue, symbol, timeframe, time, kind)
        );
        CREATE TABLE drawings (
            id INTEGER PRIMARY KEY,
            venue TEXT NOT NULL, symbol TEXT NOT NULL, timeframe TEXT NOT NULL,
            kind TEXT NOT NULL, spec TEXT NOT NULL
        );
        CREATE TABLE alert_history (
            id TEXT PRIMARY KEY, raised_at INTEGER NOT NULL, payload TEXT NOT NULL
        );
        """
    )


def _v2(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE damaged_rows (
            source TEXT NOT NULL, key TEXT NOT NULL, content TEXT, reason TEXT NOT NULL,
            set_aside_at TEXT NOT NULL
        );
        """
    )


def _v3(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE suppressed_swings (
            venue TEXT NOT NULL, symbol TEXT NOT NULL, timeframe TEXT NOT NULL,
            time INTEGER NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('high', 'low')),
            PRIMARY KEY (venue, symbol, timeframe, time, kind)
        );
        """
    )


def _v4(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE journal (
            id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, payload TEXT NOT NULL
        );
        """
    )


# Migration k brings a file from version k to k + 1. Append, never edit.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3, _v4]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True, slots=True)
class ManualSwing:
    time: int
    kind: str  # "high" or "low"
    price: float


@dataclass(frozen=True, slots=True)
class AlertRecord:
    id: str
    raised_at: int
    payload: dict


class UserStore:
    """Manual swings and drawings per (venue, symbol, timeframe), and the alert history.

    Parameters
    ----------
    path
        The SQLite file; created when missing.
    migrations
        The schema steps; tests pass their own to exercise a migration.
    on_notice
        Receives each user-facing message (a row set aside, the file not writable); they
        are also kept in ``notices``.
    """

    def __init__(self, path: str | Path, *,
                 migrations: list[Callable[[sqlite3.Connection], None]] = MIGRATIONS,
                 on_notice: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.backup_path: Path | None = None
        self.notices: list[str] = []
        self.on_notice = on_notice
        self.writable = True
        try:
            # FULL: the user's work must survive a power cut too
            self._conn = connect(self.path, synchronous="FULL")
        except sqlite3.DatabaseError as exc:
            raise UserDataError(
                f"Your saved swings, drawings and alerts ({self.path}) could not be read: {exc}. "
                "The file was left untouched; restore a backup copy next to it or move it away "
                "to start with empty user data."
            ) from exc
        try:
            self._migrate(migrations)
        except sqlite3.OperationalError as exc:
            if not is_transient(exc):
                raise
            self._not_writable(storage_problem(exc, self.path))
        # SQLite opens a read-only file without a word and fails only at the first write
        problem = write_problem(self.path)
        if problem is not None:
            self._not_writable(problem)

    def _tell(self, message: str) -> None:
        self.notices.append(message)
        if self.on_notice is not None:
            self.on_notice(message)

    def _not_writable(self, problem: str) -> None:
        if self.writable:
            self.writable = False
            self._tell(f"Your saved swings, drawings and alerts ({self.path}) cannot be written: "
                       f"{problem}. smtdesk goes on; what changes now (new alerts "
                       "included) is kept until it closes only. Make the file writable, or free "
                       "space, and restart to keep it.")

    def _migrate(self, migrations: list[Callable[[sqlite3.Connection], None]]) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(migrations):
            self._conn.close()
            raise UserDataError(
                f"{self.path} was written by a newer smtdesk (data version {version}); "
                "update smtdesk to open it."
            )
        if version == len(migrations):
            return
        has_tables = self._conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] > 0
        if has_tables:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
            self.backup_path = self.path.with_name(f"{self.path.name}.v{version}-{stamp}.bak")
            backup = sqlite3.connect(self.backup_path)
            with backup:
                self._conn.backup(backup)
            backup.close()
        for step, migrate in enumerate(migrations[version:], start=version + 1):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                migrate(self._conn)
                self._conn.execute(f"PRAGMA user_version={step}")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @property
    def version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        self._conn.close()

    def _write(self, sql: str, args: tuple) -> sqlite3.Cursor:
        """One statement in its own transaction; :class:`StorageError` when the file
        cannot be written for now (told to the user once)."""
        return self._write_all([(sql, args)])

    def _write_all(self, statements: list[tuple[str, tuple]]) -> sqlite3.Cursor:
        """Statements in one transaction, all or none; the last one's cursor."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    cur = self._conn.execute(sql, args)
                self._conn.execute("COMMIT")
            finally:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            if not is_transient(exc):
                raise
            self._not_writable(storage_problem(exc, self.path))
            raise StorageError(f"{self.path} cannot be written: {storage_problem(exc, self.path)}") from exc
        return cur

    def _set_aside(self, source: str, key: str, content: str | None, reason: str) -> None:
        """Move an unreadable row to ``damaged_rows`` (when the file can be written) and say so."""
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        kept = "left where it is"
        if self.writable:
            try:
                self._write("INSERT INTO damaged_rows VALUES (?, ?, ?, ?, ?)",
                            (source, key, content, reason, stamp))
                kept = "moved to the damaged_rows table of that file for inspection"
            except StorageError:
                pass  # told once by _write
        self._tell(f"One saved {source.replace('_', ' ')} entry ({key}) could not be read ({reason}); "
                   f"it was skipped and {kept}. Everything else was loaded.")

    def drop_unreadable(self, source: str, key: str, content: str | None, reason: str,
                        delete_sql: str, delete_args: tuple) -> None:
        """Set a row aside (see :meth:`_set_aside`) and remove it from its table."""
        self._set_aside(source, key, content, reason)
        if self.writable:
            try:
                self._write(delete_sql, delete_args)
            except StorageError:
                pass  # told once by _write; the row stays and is skipped again next time

    # ---- manual swings -------------------------------------------------------------

    def set_swing(self, key: SeriesKey, swing: ManualSwing) -> None:
        self._write("INSERT OR REPLACE INTO manual_swings VALUES (?, ?, ?, ?, ?, ?)",
                    (*key, swing.time, swing.kind, swing.price))

    def delete_swing(self, key: SeriesKey, time: int, kind: str) -> None:
        self._write("DELETE FROM manual_swings WHERE venue=? AND symbol=? AND timeframe=? "
                    "AND time=? AND kind=?", (*key, time, kind))

    def swings(self, key: SeriesKey) -> list[ManualSwing]:
        rows = self._conn.execute(
            "SELECT time, kind, price FROM manual_swings WHERE venue=? AND symbol=? "
            "AND timeframe=? ORDER BY time, kind", key).fetchall()
        found = []
        for t, kind, price in rows:
            if isinstance(t, int) and kind in ("high", "low") and isinstance(price, float) \
                    and math.isfinite(price) and price > 0:
                found.append(ManualSwing(t, kind, price))
            else:
                self.drop_unreadable(
                    "manual_swings", f"{'/'.join(key)} {t} {kind}", repr((t, kind, price)),
                    "not a time, a side and a positive price",
                    "DELETE FROM manual_swings WHERE venue=? AND symbol=? AND timeframe=? "
                    "AND time IS ? AND kind IS ? AND price IS ?", (*key, t, kind, price))
        return found

    # ---- drawings ------------------------------------------------------------------

    def set_drawings(self, key: SeriesKey, drawings: Iterable[Drawing]) -> None:
        """Keep exactly ``drawings`` for ``key`` (replacing what was kept), all or none."""
        where = "venue=? AND symbol=? AND timeframe=?"
        self._write_all([(f"DELETE FROM drawings WHERE {where}", key)] + [
            ("INSERT INTO drawings (venue, symbol, timeframe, kind, spec) VALUES (?, ?, ?, ?, ?)",
             (*key, d.kind, json.dumps({"id": d.id, "points": [list(p) for p in d.points]})))
            for d in drawings])

    def drawings(self, key: SeriesKey) -> list[Drawing]:
        rows = self._conn.execute(
            "SELECT id, kind, spec FROM drawings WHERE venue=? AND symbol=? AND timeframe=? "
            "ORDER BY id", key).fetchall()
        found = []
        for row_id, kind, spec in rows:
            try:
                drawing = _drawing(kind, spec)
            except ValueError as exc:
                self.drop_unreadable("drawings", f"{'/'.join(key)} {row_id}", repr((kind, spec))[:10_000],
                                     str(exc), "DELETE FROM drawings WHERE id=?", (row_id,))
                continue
            found.append(drawing)
        return found

    # ---- trade journal -------------------------------------------------------------

    def save_journal(self, entry: JournalEntry) -> JournalEntry:
        """Keep ``entry`` (a new one, or the new version of a kept one); it comes back with
        its id."""
        payload = json.dumps({k: v for k, v in asdict(entry).items() if k != "id"})
        if entry.id is None:
            cur = self._write("INSERT INTO journal (created_at, payload) VALUES (?, ?)",
                              (int(time.time() * 1000), payload))
            return replace(entry, id=cur.lastrowid)
        self._write("UPDATE journal SET payload=? WHERE id=?", (payload, entry.id))
        return entry

    def delete_journal(self, entry_id: int) -> None:
        self._write("DELETE FROM journal WHERE id=?", (entry_id,))

    def journal(self) -> list[JournalEntry]:
        """Every journaled trade, newest first."""
        found = []
        for row_id, payload in self._conn.execute(
                "SELECT id, payload FROM journal ORDER BY created_at DESC, id DESC").fetchall():
            try:
                d = _json_object(payload)
                d["result"] = Result(d["result"])
                d["screenshots"] = tuple(d["screenshots"])
                found.append(JournalEntry(**d, id=row_id))
            except (KeyError, TypeError, ValueError) as exc:
                self.drop_unreadable("journal", str(row_id), str(payload)[:10_000], f"not a trade ({exc})",
                                     "DELETE FROM journal WHERE id=?", (row_id,))
        return found

    # ---- automatic swings the user deleted -----------------------------------------

    def suppress_swing(self, key: SeriesKey, time: int, kind: str) -> None:
        self._write("INSERT OR REPLACE INTO suppressed_swings VALUES (?, ?, ?, ?, ?)",
                    (*key, time, kind))

    def restore_swing(self, key: SeriesKey, time: int, kind: str) -> None:
        self._write("DELETE FROM suppressed_swings WHERE venue=? AND symbol=? AND timeframe=? "
                    "AND time=? AND kind=?", (*key, time, kind))

    def suppressed_swings(self, key: SeriesKey) -> list[tuple[int, str]]:
        """(time, kind) of each automatic swing deleted on the series."""
        rows = self._conn.execute(
            "SELECT time, kind FROM suppressed_swings WHERE venue=? AND symbol=? "
            "AND timeframe=? ORDER BY time, kind", key).fetchall()
        found = []
        for t, kind in rows:
            if isinstance(t, int) and kind in ("high", "low"):
                found.append((t, kind))
            else:
                self.drop_unreadable(
                    "suppressed_swings", f"{'/'.join(key)} {t} {kind}", repr((t, kind)),
                    "not a time and a side",
                    "DELETE FROM suppressed_swings WHERE venue=? AND symbol=? AND timeframe=? "
                    "AND time IS ? AND kind IS ?", (*key, t, kind))
        return found

    # ---- alert history -------------------------------------------------------------

    def record_alert(self, alert_id: str, raised_at: int, payload: dict) -> bool:
        """Keep an alert; False when this id was already recorded (raise each alert once)."""
        cur = self._write("INSERT OR IGNORE INTO alert_history VALUES (?, ?, ?)",
                          (alert_id, raised_at, json.dumps(payload)))
        return cur.rowcount == 1

    def alert_ids(self, prefix: str) -> list[str]:
        """Ids of the recorded alerts that start with ``prefix``."""
        rows = self._conn.execute("SELECT id FROM alert_history WHERE substr(id, 1, ?) = ?",
                                  (len(prefix), prefix)).fetchall()
        return [r[0] for r in rows]

    def alerts(self, *, limit: int = 500) -> list[AlertRecord]:
        rows = self._conn.execute(
            "SELECT id, raised_at, payload FROM alert_history ORDER BY raised_at DESC, id LIMIT ?",
            (limit,)).fetchall()
        found = []
        for i, t, p in rows:
            try:
                found.append(AlertRecord(i, int(t), _json_object(p)))
            except (ValueError, TypeError) as exc:
                self.drop_alert(i, p, str(exc))
        return found

    def drop_alert(self, alert_id: str, payload: object, reason: str) -> None:
        """Set an unreadable alert-history row aside."""
        self.drop_unreadable("alert_history", str(alert_id), str(payload)[:10_000], reason,
                             "DELETE FROM alert_history WHERE id=?", (alert_id,))


def _drawing(kind: object, spec: object) -> Drawing:
    """A stored drawing; ValueError saying why it cannot be drawn."""
    fields = _json_object(spec)
    points = fields.get("points")
    if not isinstance(points, list) or not all(isinstance(p, list) and len(p) == 2 for p in points):
        raise ValueError("its points are not (time, price) pairs")
    price = [float(p) if isinstance(p, int) and not isinstance(p, bool) else p for _, p in points]
    drawing = Drawing(fields.get("id"), kind, tuple((t, p) for (t, _), p in zip(points, price)))
    if not drawing.is_valid():
        raise ValueError(f"not a drawing of kind {kind!r} with its number of points at real prices")
    return drawing


def _json_object(text: object) -> dict:
    """A stored JSON object; ValueError saying why not."""
    if not isinstance(text, str):
        raise ValueError("not text")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at character {exc.pos}") from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value
