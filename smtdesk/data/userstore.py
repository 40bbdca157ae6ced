"""The user's own data: manual swings, drawings and alert history, in their own file.

Unlike the market cache this cannot be fetched again, so it is never moved aside or
rebuilt: an unreadable file raises :class:`UserDataError` and is left exactly as it was.
Before a schema migration the file is copied next to itself; the version lives in
``PRAGMA user_version``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from smtdesk.data.store import connect
from smtdesk.errors import UserDataError

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


# Migration k brings a file from version k to k + 1. Append, never edit.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True, slots=True)
class ManualSwing:
    time: int
    kind: str  # "high" or "low"
    price: float


@dataclass(frozen=True, slots=True)
class Drawing:
    id: int
    kind: str
    spec: dict


@dataclass(frozen=True, slots=True)
class AlertRecord:
    id: str
    raised_at: int
    payload: dict


class UserStore:
    """Manual swings, drawings and alert history per (venue, symbol, timeframe).

    Parameters
    ----------
    path
        The SQLite file; created when missing.
    migrations
        The schema steps; tests pass their own to exercise a migration.
    """

    def __init__(self, path: str | Path, *,
                 migrations: list[Callable[[sqlite3.Connection], None]] = MIGRATIONS) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.backup_path: Path | None = None
        try:
            # FULL: the user's work must survive a power cut too
            self._conn = connect(self.path, synchronous="FULL")
        except sqlite3.DatabaseError as exc:
            raise UserDataError(
                f"Your saved swings, drawings and alerts ({self.path}) could not be read: {exc}. "
                "The file was left untouched; restore a backup copy next to it or move it away "
                "to start with empty user data."
            ) from exc
        self._migrate(migrations)

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
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            cur = self._conn.execute(sql, args)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")
        return cur

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
        return [ManualSwing(*r) for r in rows]

    # ---- drawings ------------------------------------------------------------------

    def add_drawing(self, key: SeriesKey, kind: str, spec: dict) -> int:
        cur = self._write("INSERT INTO drawings (venue, symbol, timeframe, kind, spec) "
                          "VALUES (?, ?, ?, ?, ?)", (*key, kind, json.dumps(spec)))
        return int(cur.lastrowid)

    def delete_drawing(self, drawing_id: int) -> None:
        self._write("DELETE FROM drawings WHERE id=?", (drawing_id,))

    def drawings(self, key: SeriesKey) -> list[Drawing]:
        rows = self._conn.execute(
            "SELECT id, kind, spec FROM drawings WHERE venue=? AND symbol=? AND timeframe=? "
            "ORDER BY id", key).fetchall()
        return [Drawing(i, k, json.loads(s)) for i, k, s in rows]

    # ---- alert history -------------------------------------------------------------

    def record_alert(self, alert_id: str, raised_at: int, payload: dict) -> bool:
        """Keep an alert; False when this id was already recorded (raise each alert once)."""
        cur = self._write("INSERT OR IGNORE INTO alert_history VALUES (?, ?, ?)",
                          (alert_id, raised_at, json.dumps(payload)))
        return cur.rowcount == 1

    def alerts(self, *, limit: int = 500) -> list[AlertRecord]:
        rows = self._conn.execute(
            "SELECT id, raised_at, payload FROM alert_history ORDER BY raised_at DESC, id LIMIT ?",
            (limit,)).fetchall()
        return [AlertRecord(i, t, json.loads(p)) for i, t, p in rows]
