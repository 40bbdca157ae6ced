"""CSV import against the files traders have and the ones that break importers: columns
mapped by name, the time unit told by size, every problem on its true line, nothing stored
unless the whole file is good, and one error type."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from smtdesk.data.csv_import import import_csv, parse_csv
from smtdesk.data.store import CandleStore
from smtdesk.errors import CsvImportError
from tests.data.fake_binance import FIXTURES

KEY = ("binanceusdm", "BTC/USDT:USDT", "1h")
ROWS = np.loadtxt(FIXTURES / "BTCUSDT_1h.csv", delimiter=",", skiprows=1)[:6]


def stored(tmp_path, text: str | bytes, **kw) -> tuple[np.ndarray, object]:
    path = tmp_path / "in.csv"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    store = CandleStore(tmp_path / "cache.sqlite")
    summary = import_csv(path, *KEY, store, **kw)
    c = store.load_candles(*KEY)
    store.close()
    return np.column_stack([c.time, c.open, c.high, c.low, c.close, c.volume]), summary


def refused(tmp_path, text: str | bytes) -> CsvImportError:
    path = tmp_path / "in.csv"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    store = CandleStore(tmp_path / "cache.sqlite")
    with pytest.raises(CsvImportError) as info:
        import_csv(path, *KEY, store)
    assert len(store.load_candles(*KEY)) == 0, "nothing partial is stored"
    store.close()
    return info.value


def fmt(v: float) -> str:
    return repr(float(v))


def test_a_header_in_another_order_is_mapped_by_name(tmp_path):
    """Finding 7: open and close were swapped silently."""
    lines = ["close,low,volume,time,high,open"] + [
        f"{fmt(c)},{fmt(lo)},{fmt(v)},{int(t)},{fmt(h)},{fmt(o)}" for t, o, h, lo, c, v in ROWS]
    got, _ = stored(tmp_path, "\n".join(lines))
    np.testing.assert_array_equal(got, ROWS)


def test_a_tradingview_export_with_extra_columns_and_seconds(tmp_path):
    lines = ["time,open,high,low,close,Volume,Volume MA,RSI,Plot"] + [
        f"{int(t) // 1000},{fmt(o)},{fmt(h)},{fmt(lo)},{fmt(c)},{fmt(v)},1234.5,55.1,NaN"
        for t, o, h, lo, c, v in ROWS]
    got, summary = stored(tmp_path, "\n".join(lines) + "\n")
    np.testing.assert_array_equal(got, ROWS)
    assert summary.time_unit == "seconds" and summary.count == 6


def test_short_aliases_o_h_l_c_v_and_an_iso_date_column(tmp_path):
    def iso(t):
        return datetime.fromtimestamp(t / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")

    lines = ["Date,O,H,L,C,V"] + [f"{iso(t)},{fmt(o)},{fmt(h)},{fmt(lo)},{fmt(c)},{fmt(v)}"
                                  for t, o, h, lo, c, v in ROWS]
    got, summary = stored(tmp_path, "\n".join(lines))
    np.testing.assert_array_equal(got, ROWS)
    assert summary.time_unit == "ISO dates"


def binance_dump(scale: int) -> str:
    """Binance public data: no header, 12 columns, open and close time in ms * ``scale``."""
    return "\n".join(
        f"{int(t) * scale},{fmt(o)},{fmt(h)},{fmt(lo)},{fmt(c)},{fmt(v)},"
        f"{(int(t) + 3_599_999) * scale},{fmt(v * c)},1234,{fmt(v / 2)},{fmt(v * c / 2)},0"
        for t, o, h, lo, c, v in ROWS) + "\n"


@pytest.mark.parametrize("scale,unit", [(1, "milliseconds"), (1000, "microseconds"),
                                        (1_000_000, "nanoseconds")])
def test_the_exchanges_own_kline_dump_in_every_time_unit(tmp_path, scale, unit):
    """Finding 7: microseconds and nanoseconds were read as milliseconds (year 55841)."""
    got, summary = stored(tmp_path, binance_dump(scale))
    np.testing.assert_array_equal(got, ROWS)
    assert summary.time_unit == unit
    assert f"times read as {unit}" in str(summary)


def lines_of(rows=ROWS) -> list[str]:
    return ["timestamp,open,high,low,close,volume"] + [
        f"{int(t)},{fmt(o)},{fmt(h)},{fmt(lo)},{fmt(c)},{fmt(v)}" for t, o, h, lo, c, v in rows]


def test_trailing_blank_lines_are_ignored(tmp_path):
    """Finding 7: one trailing blank line rejected the whole file."""
    got, _ = stored(tmp_path, "\n".join(lines_of()) + "\n\n  \n\r\n")
    np.testing.assert_array_equal(got, ROWS)


def test_a_candle_in_2099_is_refused_on_its_line(tmp_path):
    """Finding 7: it was accepted and stopped the series from ever syncing."""
    lines = lines_of()
    lines.append("4070908800000,1,2,0.5,1.5,3")
    err = refused(tmp_path, "\n".join(lines))
    assert [str(p) for p in err.problems] == [
        "line 8: not a candle: it opens at 2099-01-01 00:00 UTC, in the future"]


def test_a_candle_before_2009_is_refused_with_a_hint(tmp_path):
    lines = lines_of()
    lines[1] = "1199145600000,1,2,0.5,1.5,3"
    err = refused(tmp_path, "\n".join(lines))
    assert str(err.problems[0]).startswith("line 2: not a candle: it opens at 2008-01-01 00:00 UTC, "
                                           "before 2009: is the time unit right?")


def test_a_bad_byte_is_reported_on_its_own_line(tmp_path):
    """Finding 7: a bad byte on line 7 was reported as line 1."""
    data = "\n".join(lines_of()).encode().split(b"\n")
    data[6] = data[6].replace(b",", b"\xff,", 1)
    err = refused(tmp_path, b"\n".join(data))
    assert [p.line for p in err.problems] == [7]
    assert "not UTF-8 text (byte 0xff at column 14)" in err.problems[0].problem


def test_a_huge_field_is_quoted_cut_short(tmp_path):
    """Finding 7: a 100 KB field was echoed in full."""
    lines = lines_of()
    lines[3] = lines[3].replace(lines[3].split(",")[1], "9" * 50_000 + "x" * 50_000, 1)
    err = refused(tmp_path, "\n".join(lines))
    assert len(err.problems) == 1 and err.problems[0].line == 4
    assert len(str(err)) < 400
    assert "(100000 characters)" in str(err)


def test_csv_module_errors_are_line_numbered_import_errors(tmp_path):
    """Finding 7: ``_csv.Error`` escaped the importer's error type."""
    lines = lines_of()
    lines[2] = '"' + "9" * 200_000 + '",1,2,0.5,1.5,3'  # over the csv field size limit
    lines[4] = lines[4] + "\0"
    err = refused(tmp_path, "\n".join(lines))
    assert [p.line for p in err.problems] == [3, 5]
    assert "not a CSV line (field larger than field limit" in err.problems[0].problem
    assert "volume" in err.problems[1].problem and "is not a number" in err.problems[1].problem


@pytest.mark.parametrize("stamp,words", [
    ("1e25", "too large for any epoch unit"),
    ("99999999999999999999999", "too large for any epoch unit"),
    ("1735610400000123.5", "not a whole number"),
])
def test_times_no_unit_can_hold_are_refused_without_overflow(tmp_path, stamp, words):
    """Finding 7: an int64 overflow with only a numpy warning."""
    lines = lines_of()
    lines[3] = stamp + "," + lines[3].split(",", 1)[1]
    err = refused(tmp_path, "\n".join(lines))
    assert err.problems[0].line == 4 and words in err.problems[0].problem


def test_a_still_forming_last_candle_is_left_out_and_said(tmp_path):
    now = int(ROWS[-1, 0]) + 1_800_000  # half way through the last candle
    got, summary = stored(tmp_path, "\n".join(lines_of()), now_ms=now)
    np.testing.assert_array_equal(got, ROWS[:-1])
    assert summary.left_out_forming and "was still forming and was left out" in str(summary)


def test_a_header_without_a_close_column_says_which(tmp_path):
    lines = ["time,open,high,low,last,volume"] + lines_of()[1:]
    err = refused(tmp_path, "\n".join(lines))
    assert str(err.problems[0]).startswith("line 1: the header has no close column")


def test_a_refused_file_leaves_the_cached_series_as_it_was(tmp_path):
    store = CandleStore(tmp_path / "cache.sqlite")
    import_csv(FIXTURES / "BTCUSDT_1h.csv", *KEY, store)
    before = store.load_candles(*KEY)
    store.close()
    lines = lines_of()
    lines[2] = lines[2].replace(lines[2].split(",")[5], "-1")
    refused_path = tmp_path / "in.csv"
    refused_path.write_text("\n".join(lines))
    store = CandleStore(tmp_path / "cache.sqlite")
    with pytest.raises(CsvImportError, match="line 3: not a candle: its volume is negative"):
        import_csv(refused_path, *KEY, store)
    after = store.load_candles(*KEY)
    np.testing.assert_array_equal(after.time, before.time)
    np.testing.assert_array_equal(after.volume, before.volume)
    store.close()


def test_only_its_own_error_type_leaves_the_parser():
    for text in ["", "\0\0\0", "time\n", "a,b\n\n\nc", '"unterminated,1,2\n', "\ufeff\n\n"]:
        with pytest.raises(CsvImportError):
            parse_csv(text, timeframe="1h")
