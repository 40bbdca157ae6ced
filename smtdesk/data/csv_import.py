"""Importing candles from the files traders have.

Accepted: a header naming its columns in any order, with extra columns ignored
(TradingView's chart export: ``time,open,high,low,close,Volume,...``); no header and six
columns (``time,open,high,low,close,volume``); no header and twelve columns (the exchange's
own kline dump, Binance public data). Times are epoch seconds, milliseconds, microseconds
or nanoseconds (told apart by their size, one unit per file) or ISO 8601 (UTC when no zone
is given).

The whole file is checked before anything is written, every candle through the same gate
as the exchange's, and every problem is reported with the line of the file it is on: a file
is imported completely or not at all. The one error raised is :class:`CsvImportError`.
"""

from __future__ import annotations

import csv
import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from smtdesk.core.candles import EARLIEST_MS, Candles, row_problems, timeframe_ms
from smtdesk.data.store import CandleStore
from smtdesk.errors import CsvImportError, CsvProblem

COLUMNS = ("time", "open", "high", "low", "close", "volume")
ALIASES = {
    "time": {"time", "timestamp", "timestamp_ms", "date", "datetime", "open_time", "open time",
             "opentime", "unix", "date/time"},
    "open": {"open", "o"},
    "high": {"high", "h"},
    "low": {"low", "l"},
    "close": {"close", "c"},
    "volume": {"volume", "vol", "v", "volume (base)", "base_volume"},
}
# Headerless column counts: the plain six, and Binance's kline dump (open time, OHLCV,
# close time, quote volume, trades, taker buy base and quote volume, ignore).
HEADERLESS_WIDTHS = (6, 12)
# An epoch value below each bound is in that unit: 1e11 s is the year 5138, and so on.
_UNITS = ((1e11, "seconds", 1000.0), (1e14, "milliseconds", 1.0),
          (1e17, "microseconds", 1e-3), (1e20, "nanoseconds", 1e-6))
MAX_SHOWN_CHARS = 80


def _shown(text: str) -> str:
    """A value from the file as quoted in a message, cut to a readable length."""
    if len(text) > MAX_SHOWN_CHARS:
        text = text[:MAX_SHOWN_CHARS] + f"… ({len(text)} characters)"
    return repr(text)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import stored."""

    path: str
    venue: str
    symbol: str
    timeframe: str
    count: int
    first: int
    last: int
    time_unit: str
    left_out_forming: bool = False

    def __str__(self) -> str:
        def at(ms: int) -> str:
            return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M")

        forming = "; the last candle was still forming and was left out" if self.left_out_forming else ""
        return (f"Imported {self.count} {self.symbol} {self.timeframe} candles into {self.venue} "
                f"from {self.path} ({at(self.first)} to {at(self.last)} UTC, times read as "
                f"{self.time_unit}{forming}).")


def _parse_time(text: str) -> tuple[float, str]:
    """Milliseconds and the unit the time was written in; ValueError when it is none."""
    try:
        value = float(text)
    except ValueError:
        try:
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("not an epoch time or an ISO 8601 date") from None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=timezone.utc)
        return round(stamp.timestamp() * 1000), "ISO dates"
    if not math.isfinite(value) or value != int(value):
        raise ValueError("not a whole number")
    if value < 0:
        raise ValueError("a negative time")
    for bound, unit, to_ms in _UNITS:
        if value < bound:
            ms = value * to_ms
            if ms != int(ms):
                raise ValueError(f"read as {unit}, not a whole millisecond")
            return ms, unit
    raise ValueError("too large for any epoch unit")


def _header_columns(fields: list[str]) -> dict[str, int] | None:
    """Column index of each candle field when ``fields`` is a header, else None."""
    names = [f.strip().strip('"').lower() for f in fields]
    known = set().union(*ALIASES.values())
    if not any(n in known for n in names):
        return None
    found: dict[str, int] = {}
    for i, name in enumerate(names):
        for column, aliases in ALIASES.items():
            if name in aliases and column not in found:
                found[column] = i
    return found


def _decode_lines(data: bytes) -> tuple[list[str], list[CsvProblem]]:
    """The file's lines as text; a line that is not UTF-8 is a problem on that line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines, problems = [], []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            problems.append(CsvProblem(number, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} "
                                               f"at column {exc.start + 1})"))
            lines.append("")
    while lines and not lines[-1].strip():
        lines.pop()  # trailing blank lines are no content
    return lines, problems


def parse_csv(data: bytes | str, *, timeframe: str, source: str = "CSV",
              now_ms: int | None = None) -> tuple[Candles, str, bool]:
    """Check a whole file and return its candles, the time unit read and whether a last,
    still-forming candle was left out; or raise :class:`CsvImportError`.

    Every open time must be on the ``timeframe`` grid; a last candle that has not closed by
    ``now_ms`` (default: now) is left out.
    """
    now = int(time.time() * 1000) if now_ms is None else now_ms
    raw = data.encode("utf-8") if isinstance(data, str) else data
    lines, problems = _decode_lines(raw)
    columns: dict[str, int] | None = None
    rows: list[list[float]] = []
    row_lines: list[int] = []
    units: dict[str, int] = {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            problems.append(CsvProblem(number, "empty line"))
            continue
        try:
            fields = next(csv.reader([text.rstrip("\r")]))
        except csv.Error as exc:
            problems.append(CsvProblem(number, f"not a CSV line ({exc})"))
            continue
        if columns is None and not rows and number == _first_content(lines):
            columns = _header_columns(fields)
            if columns is not None:
                missing = [c for c in COLUMNS if c not in columns]
                if missing:
                    problems.append(CsvProblem(number, f"the header has no {', '.join(missing)} "
                                                       f"column (it names {_shown(','.join(fields))})"))
                    break
                continue
        row = _read_row(number, fields, columns, problems)
        if row is None:
            continue
        (t, unit), values = row
        units.setdefault(unit, number)
        rows.append([t, *values])
        row_lines.append(number)
    if len(units) > 1:
        first_lines = ", ".join(f"{u} from line {n}" for u, n in sorted(units.items(), key=lambda x: x[1]))
        problems.append(CsvProblem(max(units.values()), f"times mix units ({first_lines}); use one "
                                                        "unit throughout"))
    forming = False
    if rows:
        forming = _check_candles(rows, row_lines, timeframe, now, problems)
        if forming:
            rows, row_lines = rows[:-1], row_lines[:-1]
    if not rows and not problems:
        problems.append(CsvProblem(max(len(lines), 1), "no candles in the file"))
    if problems:
        problems.sort(key=lambda p: p.line)
        raise CsvImportError(source, problems)
    unit = next(iter(units))
    return Candles.from_rows(rows), unit, forming


def _first_content(lines: list[str]) -> int:
    return next(i for i, text in enumerate(lines, start=1) if text.strip())


def _read_row(number: int, fields: list[str], columns: dict[str, int] | None,
              problems: list[CsvProblem]) -> tuple[tuple[float, str], list[float]] | None:
    """The time and the five values of one line, or None with its problem recorded."""
    if columns is None:
        if len(fields) not in HEADERLESS_WIDTHS:
            problems.append(CsvProblem(number, f"{len(fields)} columns; without a header a line "
                                               "has 6 (time,open,high,low,close,volume) or the "
                                               "exchange's 12"))
            return None
        columns = dict(zip(COLUMNS, range(6)))
    if len(fields) <= max(columns.values()):
        problems.append(CsvProblem(number, f"{len(fields)} columns where the header has "
                                           f"{max(columns.values()) + 1} or more"))
        return None
    stamp = fields[columns["time"]].strip()
    try:
        t = _parse_time(stamp)
    except ValueError as exc:
        problems.append(CsvProblem(number, f"time {_shown(stamp)} is not a time ({exc})"))
        return None
    values = []
    for name in COLUMNS[1:]:
        text = fields[columns[name]].strip()
        try:
            value = float(text)
        except ValueError:
            problems.append(CsvProblem(number, f"{name} {_shown(text)} is not a number"))
            return None
        if not math.isfinite(value):
            problems.append(CsvProblem(number, f"{name} {_shown(text)} is not a finite number"))
            return None
        values.append(value)
    return t, values


def _check_candles(rows: list[list[float]], row_lines: list[int], timeframe: str, now: int,
                   problems: list[CsvProblem]) -> bool:
    """Every row through the candle gate and in time order; True when the last row is a
    candle still forming at ``now`` (left out, not an error)."""
    tf = timeframe_ms(timeframe)
    arr = np.array(rows, dtype=np.float64)
    forming = arr[-1, 0] <= now < arr[-1, 0] + tf
    for i, reason in row_problems(arr, timeframe, now_ms=now):
        if arr[i, 0] < EARLIEST_MS:
            reason = f"it opens at {_at(arr[i, 0])} UTC, before 2009: is the time unit right?"
        elif arr[i, 0] > now:
            reason = f"it opens at {_at(arr[i, 0])} UTC, in the future"
        problems.append(CsvProblem(row_lines[i], f"not a candle: {reason}"))
    times = arr[:, 0]
    for i in np.flatnonzero(np.diff(times) <= 0).tolist():
        what = "repeats" if times[i + 1] == times[i] else "is earlier than"
        problems.append(CsvProblem(row_lines[i + 1], f"time {_at(times[i + 1])} UTC {what} the one "
                                                     f"on line {row_lines[i]} (times must increase)"))
    return bool(forming)


def _at(ms: float) -> str:
    if not -6e16 < ms < 2.5e14:
        return f"{ms:.0f} ms"
    return np.datetime64(int(ms), "ms").astype(str).replace("T", " ")[:16]


def import_csv(path: str | Path, venue: str, symbol: str, timeframe: str,
               store: CandleStore, *, now_ms: int | None = None) -> ImportSummary:
    """Check ``path`` whole, then store it into the series (venue, symbol, timeframe).

    Raises :class:`CsvImportError` (nothing written) when the file cannot be read or any
    line is wrong.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CsvImportError(str(path), [CsvProblem(0, f"cannot be read ({exc.strerror or exc})")]) from None
    candles, unit, forming = parse_csv(data, timeframe=timeframe, source=str(path), now_ms=now_ms)
    store.save_candles(venue, symbol, timeframe, candles)
    return ImportSummary(str(path), venue, symbol, timeframe, len(candles), int(candles.time[0]),
                         int(candles.time[-1]), unit, forming)
