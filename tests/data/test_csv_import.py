"""CSV import: good files in every accepted form, and malformed ones rejected whole."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from smtdesk.data.csv_import import CsvImportError, import_csv, parse_csv
from smtdesk.data.store import CandleStore
from tests.data.fake_binance import FIXTURES

GOOD = FIXTURES / "BTCUSDT_1h.csv"
KEY = ("csv", "BTC/USDT:USDT", "1h")


def good_lines(n: int = 6) -> list[str]:
    return GOOD.read_text().splitlines()[: n + 1]


def variant(edit) -> str:
    lines = good_lines()
    edit(lines)
    return "\n".join(lines) + "\n"


def setl(i, text):
    return lambda ls: ls.__setitem__(i, text)


# (name, file text, line that must be named, words of the problem)
BAD = [
    ("empty file", "", 1, "no candles"),
    ("header only", "timestamp,open,high,low,close,volume\n", 1, "no candles"),
    ("too few columns", variant(setl(3, "1735610400000,92410.4,92687.4,92253.9,92433.6")), 4,
     "5 columns where the header has 6"),
    ("too few columns, no header", "\n".join(good_lines()[1:3] + ["1735610400000,1,2,1,1"]), 3, "5 columns"),
    ("seven columns, no header", "\n".join(good_lines()[1:2] + [good_lines()[2] + ",1"]), 2, "7 columns"),
    ("text price", variant(setl(4, "1735614000000,abc,92687.4,92253.9,92433.6,1")), 5, "open 'abc' is not a number"),
    ("empty field", variant(setl(2, "1735606800000,92435.9,,92000.0,92410.2,6961.012")), 3, "high '' is not a number"),
    ("nan", variant(setl(2, "1735606800000,nan,92549.9,92000.0,92410.2,6961.012")), 3, "not a finite"),
    ("infinite", variant(setl(2, "1735606800000,92435.9,inf,92000.0,92410.2,6961.012")), 3, "not a finite"),
    ("zero price", variant(setl(5, "1735617600000,0,1,0,1,5")), 6, "zero or negative"),
    ("negative price", variant(setl(5, "1735617600000,-5,1,-6,1,5")), 6, "zero or negative"),
    ("high below close", variant(setl(1, "1735603200000,92759.3,92000.0,92345.0,92435.8,1")), 2, "do not contain"),
    ("low above open", variant(setl(1, "1735603200000,92759.3,92875.4,92800.0,92835.8,1")), 2, "do not contain"),
    ("negative volume", variant(setl(1, "1735603200000,92759.3,92875.4,92345.0,92435.8,-1")), 2, "volume is negative"),
    ("bad timestamp", variant(setl(3, "yesterday,92410.4,92687.4,92253.9,92433.6,2867.74")), 4, "is not a time"),
    ("fractional timestamp", variant(setl(3, "1735610400000.5,92410.4,92687.4,92253.9,92433.6,2867.74")), 4, "not a whole number"),
    ("negative timestamp", variant(setl(3, "-1735610400000,92410.4,92687.4,92253.9,92433.6,2867.74")), 4, "a negative time"),
    ("duplicate timestamp", variant(lambda ls: ls.insert(3, ls[2])), 4, "repeats the one on line 3"),
    ("out of order", variant(lambda ls: ls.__setitem__(slice(2, 4), [ls[3], ls[2]])), 4, "is earlier than"),
    ("off the 1h grid", variant(setl(3, "1735610460000,92410.4,92687.4,92253.9,92433.6,2867.74")), 4, "not on the 1h grid"),
    ("mixed units", variant(setl(6, "1735621200,92410.4,92687.4,92253.9,92433.6,2867.74")), 7, "mix units"),
    ("blank line inside", variant(lambda ls: ls.insert(3, "")), 4, "empty line"),
    ("semicolon separated", variant(setl(2, good_lines()[2].replace(",", ";"))), 3, "1 columns"),
    ("short header", "timestamp,open,high,low,close\n" + "\n".join(good_lines()[1:]), 1, "the header has no volume column"),
    ("bad ISO date", "2025-13-01T00:00:00Z,1,1,1,1,1\n", 1, "is not a time"),
]


@pytest.mark.parametrize("name,text,line,words", BAD, ids=[b[0] for b in BAD])
def test_malformed_file_is_rejected_whole(tmp_path, name, text, line, words):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    store = CandleStore(tmp_path / "cache.sqlite")
    with pytest.raises(CsvImportError) as info:
        import_csv(path, *KEY, store)
    assert any(p.line == line and words in p.problem for p in info.value.problems), info.value.problems
    assert f"line {line}:" in str(info.value) and "nothing was imported" in str(info.value)
    assert len(store.load_candles(*KEY)) == 0
    store.close()


def test_not_utf8_is_rejected(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\x00t\x00i\x00m\x00e")
    store = CandleStore(tmp_path / "cache.sqlite")
    with pytest.raises(CsvImportError, match="line 1: not UTF-8 text"):
        import_csv(path, *KEY, store)
    assert len(store.load_candles(*KEY)) == 0


def test_every_problem_is_listed_not_just_the_first():
    text = variant(lambda ls: (ls.__setitem__(2, "x,1,1,1,1,1"), ls.__setitem__(5, "1,2,3")))
    with pytest.raises(CsvImportError) as info:
        parse_csv(text, timeframe="1h")
    assert [p.line for p in info.value.problems] == [3, 6]


def expected() -> np.ndarray:
    return np.array([[float(v) for v in ln.split(",")] for ln in good_lines()[1:]])


@pytest.mark.parametrize("form", ["header_ms", "no_header_ms", "seconds", "iso_z", "iso_naive", "crlf"])
def test_accepted_forms_import_the_same_candles(tmp_path, form):
    rows = expected()
    body = [ln.split(",", 1) for ln in good_lines()[1:]]

    def iso(ms: str, suffix: str) -> str:
        return datetime.fromtimestamp(int(ms) / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + suffix

    lines = {
        "header_ms": good_lines(),
        "no_header_ms": good_lines()[1:],
        "seconds": [f"{int(t) // 1000},{rest}" for t, rest in body],
        "iso_z": ["time,open,high,low,close,volume"] + [f"{iso(t, 'Z')},{rest}" for t, rest in body],
        "iso_naive": [f"{iso(t, '')},{rest}" for t, rest in body],
        "crlf": good_lines(),
    }[form]
    path = tmp_path / "good.csv"
    path.write_bytes(("\r\n" if form == "crlf" else "\n").join(lines).encode() + b"\n")
    store = CandleStore(tmp_path / "cache.sqlite")
    import_csv(path, *KEY, store)
    c = store.load_candles(*KEY)
    np.testing.assert_array_equal(np.column_stack([c.time, c.open, c.high, c.low, c.close, c.volume]), rows)


def test_full_fixture_imports(tmp_path):
    store = CandleStore(tmp_path / "cache.sqlite")
    summary = import_csv(GOOD, *KEY, store)
    assert summary.count == 1200 == len(store.load_candles(*KEY))
    assert summary.time_unit == "milliseconds"
