"""Signals written to a CSV file a spreadsheet opens: one row per signal, times in UTC."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from smtdesk.core.signal import Signal

COLUMNS = ("known_time_utc", "ref_time_utc", "kind", "direction", "state", "timeframe", "assets",
           "tags", "levels", "entry", "stop", "target", "reward_risk", "position_size", "reason", "id")


def _utc(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")


def _row(sig: Signal) -> list:
    p = sig.plan
    plan = ["", "", "", "", ""] if p is None else [p.entry, p.stop, p.target, p.reward_risk, p.position_size]
    levels = "; ".join(f"{name}={value}" for name, value in sig.levels.items())
    return [_utc(sig.known_time), _utc(sig.ref_time), sig.kind, sig.direction.value, sig.state.value,
            sig.timeframe, " / ".join(sig.assets), ", ".join(sorted(sig.tags)), levels, *plan, sig.reason, sig.id]


def write_signals_csv(path: Path, signals: Iterable[Signal]) -> int:
    """Write ``signals`` to ``path`` (replacing it); returns how many rows were written.

    Raises OSError when the file cannot be written."""
    rows = [_row(sig) for sig in signals]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return len(rows)
