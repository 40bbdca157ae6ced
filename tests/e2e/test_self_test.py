"""``smtdesk --self-test`` as a user (or the bundle's build script) runs it: a new process."""

import os
import subprocess
import sys

from PySide6.QtGui import QImage


def run_self_test(tmp_path, *extra):
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}  # it picks offscreen itself
    return subprocess.run(
        [sys.executable, "-m", "smtdesk", "--self-test", "--data-dir", str(tmp_path / "data"),
         "--screenshot", str(tmp_path / "shot.png"), *extra],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_self_test_sees_a_live_candle_and_an_smt_signal_and_saves_a_screenshot(tmp_path):
    done = run_self_test(tmp_path, "--replay-seconds", "0.5")
    assert done.returncode == 0, done.stderr
    assert str(tmp_path / "shot.png") in done.stdout
    shot = QImage(str(tmp_path / "shot.png"))
    assert shot.width() >= 800 and shot.height() >= 500
    # charts, not a blank window: many distinct colours across the picture
    colours = {shot.pixel(x, y) for x in range(0, shot.width(), 7) for y in range(0, shot.height(), 7)}
    assert len(colours) > 50
    log = (tmp_path / "data" / "logs" / "smtdesk.log").read_text(encoding="utf-8")
    assert " ERROR " not in log, "nothing failed on the way, the shutdown included"


def test_self_test_that_cannot_finish_says_what_was_missing(tmp_path):
    done = run_self_test(tmp_path, "--replay-seconds", "3600", "--self-test-timeout", "5")
    assert done.returncode == 1
    # an hour between live candles: the history and its signals come, the live candle cannot
    assert "self-test FAILED after 5 s" in done.stderr
    assert "no live candle after the history" in done.stderr or "no candles on screen" in done.stderr
