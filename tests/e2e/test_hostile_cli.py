"""The command line as a user types it: every bad option is refused by argparse with its
reason and exit code 2; ``--import`` stores a file whole (exit 0, one line) or nothing
(exit 2, every problem with its line)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from smtdesk import app as smtdesk_app
from smtdesk.data.store import CandleStore
from tests.data.fake_binance import FIXTURES

REPO = Path(__file__).resolve().parents[2]


def refused(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        smtdesk_app.main(list(argv))
    assert exit_.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("value,words", [
    ("-1", "-1 is not between 0.01 and 3600 seconds"),
    ("0", "0 is not between 0.01 and 3600 seconds"),
    ("inf", "inf is not between 0.01 and 3600 seconds"),
    ("nan", "nan is not between 0.01 and 3600 seconds"),
    ("3e6", "3e6 is not between 0.01 and 3600 seconds"),
    ("fast", "'fast' is not a number of seconds"),
])
def test_replay_seconds_out_of_range_is_refused(capsys, value, words):
    """Finding 8: -1 or 0 gave a traceback; inf, nan and 3e6 were accepted."""
    err = refused(capsys, "--replay-seconds", value)
    assert f"argument --replay-seconds: {words}" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv,words", [
    (["--import", "x.csv", "--timeframe", "1h"], "--import needs --symbol"),
    (["--import", "x.csv", "--symbol", "BTCUSDT"], "--import needs --timeframe"),
    (["--symbol", "BTCUSDT"], "--symbol and --timeframe go with --import FILE"),
    (["--import", "x.csv", "--symbol", "BTC USDT", "--timeframe", "1h"],
     "'BTC USDT' is not a symbol such as BTC/USDT:USDT or BTCUSDT"),
    (["--import", "x.csv", "--symbol", "BTCUSDT", "--timeframe", "7m"], "invalid choice: '7m'"),
    (["--import", "x.csv", "--symbol", "BTCUSDT", "--timeframe", "1h", "--exchange", "demo"],
     "the demo market is a recording"),
    (["--exchange", "kraken"], "invalid choice: 'kraken'"),
])
def test_bad_option_combinations_are_refused(capsys, argv, words):
    assert words in refused(capsys, *argv)


def test_a_refused_option_exits_2_from_the_shell(tmp_path):
    result = subprocess.run([sys.executable, "-m", "smtdesk", "--replay-seconds", "-1"],
                            cwd=REPO, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 2
    assert "--replay-seconds: -1 is not between" in result.stderr
    assert "Traceback" not in result.stderr


def cached(data_dir: Path, symbol: str = "BTC/USDT:USDT") -> np.ndarray:
    store = CandleStore(data_dir / "market-cache.sqlite")
    c = store.load_candles("binanceusdm", symbol, "1h")
    store.close()
    return np.column_stack([c.time, c.open, c.high, c.low, c.close, c.volume])


def test_import_stores_the_file_and_says_so_in_one_line(qapp, capsys, tmp_path):
    code = smtdesk_app.main(["--import", str(FIXTURES / "BTCUSDT_1h.csv"), "--symbol", "BTCUSDT",
                             "--timeframe", "1h", "--data-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("\n") == 1
    assert out.startswith("Imported 1200 BTC/USDT:USDT 1h candles into binanceusdm from ")
    assert "times read as milliseconds" in out
    rows = np.loadtxt(FIXTURES / "BTCUSDT_1h.csv", delimiter=",", skiprows=1)
    np.testing.assert_array_equal(cached(tmp_path), rows)


def test_import_of_a_bad_file_lists_its_lines_and_stores_nothing(qapp, capsys, tmp_path):
    good = (FIXTURES / "BTCUSDT_1h.csv").read_text().splitlines()
    lines = good[:4] + ["1735614000000,abc,1,1,1,1"] + good[5:8] + ["4102444800000,1,2,0.5,1,1"]
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n\n\n")
    data = tmp_path / "data"
    code = smtdesk_app.main(["--import", str(bad), "--symbol", "BTC/USDT:USDT", "--timeframe", "1h",
                             "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == 2
    assert "nothing was imported" in err
    assert "line 5: open 'abc' is not a number" in err
    assert "line 9: not a candle: it opens at 2100-01-01 00:00 UTC, in the future" in err
    assert len(cached(data)) == 0


def test_import_keeps_what_was_cached_when_a_file_is_refused(qapp, capsys, tmp_path):
    args = ["--symbol", "BTCUSDT", "--timeframe", "1h", "--data-dir", str(tmp_path)]
    assert smtdesk_app.main(["--import", str(FIXTURES / "BTCUSDT_1h.csv"), *args]) == 0
    before = cached(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_bytes((FIXTURES / "BTCUSDT_1h.csv").read_bytes()[:500] + b"\xff\xfe,1,2\n")
    assert smtdesk_app.main(["--import", str(bad), *args]) == 2
    assert "not UTF-8 text" in capsys.readouterr().err
    np.testing.assert_array_equal(cached(tmp_path), before)


def test_import_into_an_unusable_data_dir_exits_2(qapp, capsys, tmp_path):
    (tmp_path / "data").write_text("a file")
    code = smtdesk_app.main(["--import", str(FIXTURES / "BTCUSDT_1h.csv"), "--symbol", "BTCUSDT",
                             "--timeframe", "1h", "--data-dir", str(tmp_path / "data")])
    assert code == 2
    assert "cannot use its data folder" in capsys.readouterr().err


def test_import_of_a_missing_file_exits_2(qapp, capsys, tmp_path):
    code = smtdesk_app.main(["--import", str(tmp_path / "nope.csv"), "--symbol", "BTCUSDT",
                             "--timeframe", "1h", "--data-dir", str(tmp_path)])
    assert code == 2
    assert "file: cannot be read (No such file or directory)" in capsys.readouterr().err
