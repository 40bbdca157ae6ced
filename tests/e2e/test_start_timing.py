"""The log's record of each start: launch to the first candles on screen, then to the
first signals, and how long the window waited meanwhile."""

from __future__ import annotations

import re

import pytest

from smtdesk.logs import LOG_FILE

LINE = re.compile(r"start-up: (first candles painted|first signals shown) ([\d.]+) s after launch "
                  r"\(monotonic ([\d.]+)\); the window waited at most (\d+) ms")


def test_the_log_says_when_the_candles_and_the_signals_reached_the_screen(app, qtbot):
    win = app.open()
    log = app.data_dir / "logs" / LOG_FILE

    def lines():
        return LINE.findall(log.read_text(encoding="utf-8"))

    qtbot.waitUntil(lambda: len(lines()) == 2, timeout=10_000)
    (candles, after_c, at_c, _), (signals, after_s, at_s, _) = lines()
    assert (candles, signals) == ("first candles painted", "first signals shown")
    assert 0 < float(after_c) <= float(after_s)
    assert float(at_s) - float(at_c) == pytest.approx(float(after_s) - float(after_c), abs=0.011)
    app.close(win)
    win = app.open()  # logged once per start, not per snapshot
    qtbot.waitUntil(lambda: len(lines()) == 4, timeout=10_000)
    qtbot.wait(300)
    assert len(lines()) == 4
