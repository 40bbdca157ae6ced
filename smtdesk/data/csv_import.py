"""Importing candles from a CSV file: ``timestamp,open,high,low,close,volume``.

The header is optional; timestamps may be epoch milliseconds, epoch seconds or ISO 8601
(a time without a zone is taken as UTC). The whole file is checked before anything is
written, and every problem is reported with its line number, so a file is either imported
completely or not at all.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from smtdesk.core.candles import Candles, timeframe_ms
from smtdesk.data.store import CandleStore

HEADER = ("timestamp", "open", "high", "low", "close", "volume")
_HEADER_ALIASES = {"timestamp", "timestamp_ms", "time", "date", "datetime", "open_time"}
# Epoch values at or above this are milliseconds (1e11 s would be the year 5138).
_MS_THRESHOLD = 100_000_000_000
_MAX_REPORTED = 20


@dataclass(frozen=True, slots=True)
class CsvProblem:
    line: int
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.problem}"


class CsvImportError(ValueError):
    """The file was rejected; ``problems`` lists each one with its line."""

    def __init__(self, path: str, problems: list[CsvProblem]) -> None:
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:_MAX_REPORTED])
        more = len(problems) - _MAX_REPORTED
        tail = f"\n... and {more} more problem(s)" if more > 0 else ""
        super().__init__(f"{path}: nothing was imported.\n{shown}{tail}")


def _parse_time(text: str) -> tuple[int, str]:
    """Milliseconds and the unit it was written in ("ms", "s" or "iso")."""
    try:
        value = float(text)
    except ValueError:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=timezone.utc)
        return int(round(stamp.timestamp() * 1000)), "iso"
    if not math.isfinite(value) or value != int(value):
        raise ValueError("not a whole number of seconds or milliseconds")
    if value < 0:
        raise ValueError("negative time")
    if value >= _MS_THRESHOLD:
        return int(value), "ms"
    return int(value) * 1000, "s"


def _is_header(fields: list[str]) -> bool:
    return bool(fields) and fields[0].strip().lower() in _HEADER_ALIASES


def parse_csv(text: str, *, timeframe: str | None = None, source: str = "CSV") -> Candles:
    """Validate a whole CSV text and return its candles, or raise :class:`CsvImportError`.

    With ``timeframe``, every open time must fall on that timeframe's grid.
    """
    problems: list[CsvProblem] = []
    rows: list[tuple[int, float, float, float, float, float]] = []
    lines: list[int] = []
    units: set[str] = set()
    tf = timeframe_ms(timeframe) if timeframe else None
    reader = csv.reader(io.StringIO(text))
    for index, fields in enumerate(reader):
        line = reader.line_num
        if index == 0 and _is_header(fields):
            if len(fields) != 6:
                problems.append(CsvProblem(line, f"header has {len(fields)} columns, expected 6 "
                                                  f"({','.join(HEADER)})"))
            continue
        if not fields or all(not f.strip() for f in fields):
            problems.append(CsvProblem(line, "empty line"))
            continue
        if len(fields) != 6:
            problems.append(CsvProblem(line, f"{len(fields)} columns, expected 6 ({','.join(HEADER)})"))
            continue
        try:
            t, unit = _parse_time(fields[0].strip())
        except ValueError as exc:
            problems.append(CsvProblem(line, f"timestamp {fields[0]!r} is not a time ({exc})"))
            continue
        values = []
        for name, field in zip(HEADER[1:], fields[1:]):
            try:
                v = float(field)
            except ValueError:
                problems.append(CsvProblem(line, f"{name} {field!r} is not a number"))
                break
            if not math.isfinite(v):
                problems.append(CsvProblem(line, f"{name} {field!r} is not a finite number"))
                break
            values.append(v)
        if len(values) != 5:
            continue
        o, h, lo, c, vol = values
        if min(o, h, lo, c) <= 0:
            problems.append(CsvProblem(line, "prices must be above zero"))
        elif h < max(o, c, lo) or lo > min(o, c, h):
            problems.append(CsvProblem(line, f"high {h:g} / low {lo:g} do not contain open {o:g} "
                                              f"and close {c:g}"))
        elif vol < 0:
            problems.append(CsvProblem(line, "volume is negative"))
        elif tf is not None and t % tf != 0:
            problems.append(CsvProblem(line, f"time {fields[0].strip()} is not on the {timeframe} grid"))
        else:
            if rows and t <= rows[-1][0]:
                what = "repeats" if t == rows[-1][0] else "is earlier than"
                problems.append(CsvProblem(line, f"timestamp {fields[0].strip()} {what} the one on "
                                                  f"line {lines[-1]} (times must increase)"))
                continue
            units.add(unit)
            rows.append((t, o, h, lo, c, vol))
            lines.append(line)
    if len(units) > 1:
        problems.append(CsvProblem(lines[0], f"timestamps mix units ({', '.join(sorted(units))}); "
                                             "use one of milliseconds, seconds or ISO throughout"))
    if not rows and not problems:
        problems.append(CsvProblem(1, "no candles in the file"))
    if problems:
        problems.sort(key=lambda p: p.line)
        raise CsvImportError(source, problems)
    return Candles.from_rows(rows)


def import_csv(path: str | Path, store: CandleStore, venue: str, symbol: str,
               timeframe: str) -> Candles:
    """Validate ``path`` whole, then store it as the series (venue, symbol, timeframe).

    Raises :class:`CsvImportError` (nothing written) when any line is wrong.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError(str(path), [CsvProblem(1, f"not a UTF-8 text file ({exc.reason})")]) from exc
    candles = parse_csv(text, timeframe=timeframe, source=str(path))
    store.save_candles(venue, symbol, timeframe, candles)
    return candles
