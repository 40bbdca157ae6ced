"""The followed SMT trades, and the journaled ones, as CSV files, one row per trade."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from smtdesk.core.journal import JournalEntry
from smtdesk.core.smt.outcomes import Trade

COLUMNS = (
    "number", "signal_id", "direction", "swept_by", "traded", "tags", "signal_time_utc",
    "entry", "stop", "target", "reward_risk", "entry_reason", "outcome", "fill_time_utc",
    "fill_price", "exit_time_utc", "exit_price", "r_multiple", "mae_r", "bars_to_outcome",
)


def _time(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")


def _number(value: float) -> str:
    return "" if math.isnan(value) else repr(float(value))


def _row(number: int, t: Trade) -> list[str]:
    sig, plan = t.signal, t.signal.plan
    return [
        str(number), sig.id, sig.direction.value, sig.assets[0], sig.assets[-1],
        ";".join(sorted(sig.tags)), _time(sig.known_time),
        _number(plan.entry), _number(plan.stop), _number(plan.target), _number(plan.reward_risk),
        plan.entry_reason, t.outcome.value, _time(t.fill_time), _number(t.fill_price),
        _time(t.exit_time), _number(t.exit_price), _number(t.r), _number(t.mae),
        "" if t.bars is None else str(t.bars),
    ]


def write_trades_csv(path: Path, trades: Sequence[Trade]) -> None:
    """Write ``trades`` (numbered from 1 in their order) to ``path``; times in UTC, an
    empty cell where a trade has no such value (not filled, still open)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        out.writerows(_row(i, t) for i, t in enumerate(trades, 1))


JOURNAL_COLUMNS = (
    "id", "signal_id", "venue", "symbol", "timeframe", "side", "signal_time_utc", "entry",
    "stop", "target", "size", "result", "exit_time_utc", "exit_price", "r_multiple",
    "result_from", "notes", "screenshots",
)


def write_journal_csv(path: Path, entries: Sequence[JournalEntry]) -> None:
    """Write the journaled trades to ``path``, one row each; times in UTC."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(JOURNAL_COLUMNS)
        for e in entries:
            out.writerow([
                e.id, e.signal_id, e.venue, e.symbol, e.timeframe, "long" if e.long else "short",
                _time(e.signal_time), repr(e.entry), repr(e.stop), repr(e.target), repr(e.size),
                e.result.value, _time(e.exit_time), "" if e.exit_price is None else repr(e.exit_price),
                "" if e.r is None else repr(e.r), "candles" if e.from_candles else "trader",
                e.notes, ";".join(e.screenshots),
            ])
