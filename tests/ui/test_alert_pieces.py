"""The pieces an alert and the sidebar are made of, alone: the filters' counts, the CSV
export, the chime file and how it is played, and the count of compiled loops the status
bar's first-start note rests on."""

from __future__ import annotations

import csv
import gc
import os
import stat
import sys
import time
import types
import wave
from dataclasses import replace

import numba
import numpy as np
from PySide6.QtWidgets import QWidget

from smtdesk.core.signal import Direction, State
from smtdesk.core.signals.event_table import tally
from smtdesk.data.compiled import compiled_so_far
from smtdesk.data.signal_csv import write_signals_csv
from smtdesk.ui import notice
from smtdesk.ui.alert_sound import AlertSound, alert_sound_path
from smtdesk.ui.signal_filter import ANY, SignalFilter
from tests.data.test_alert_log import smt
from tests.ui.probes import notice_cards


def signals():
    base = smt(State.CONFIRMED, plan=True)
    rows = [  # (kind, direction, state)
        ("smt", Direction.BEARISH, State.CONFIRMED),
        ("smt", Direction.BULLISH, State.DIVERGENCE),
        ("smt", Direction.BULLISH, State.CANCELLED),
        ("rsi_divergence", Direction.BULLISH, State.CONFIRMED),
        ("rsi_divergence", Direction.BEARISH, State.INVALIDATED),
        ("macd_cross", Direction.BULLISH, State.TRIGGERED),
    ]
    return [replace(base, id=f"s{i}", kind=k, direction=d, state=s) for i, (k, d, s) in enumerate(rows)]


def test_each_choice_counts_what_it_would_list_with_the_other_filters_as_they_are():
    sigs = signals()
    f = SignalFilter()  # SMT, any state, both directions, ended hidden
    assert [s.id for s in sigs if f.passes(s)] == ["s0", "s1"]
    # by hand: SMT not ended = s0 (bearish confirmed), s1 (bullish divergence)
    assert f.counts(tally({s.id: s for s in sigs}))["direction"] == {ANY: 2, "bearish": 1, "bullish": 1}
    assert f.counts(tally({s.id: s for s in sigs}))["state"] == {ANY: 2, "confirmed": 1, "divergence": 1}
    # every kind, ended hidden: s0 s1 smt, s3 divergence, s5 cross
    assert f.counts(tally({s.id: s for s in sigs}))["kind"] == {ANY: 4, "SMT": 2, "Divergences": 1, "MACD": 1}
    shown = SignalFilter(kind=ANY, hide_ended=False, direction="bearish")
    assert [s.id for s in sigs if shown.passes(s)] == ["s0", "s4"]
    assert shown.counts(tally({s.id: s for s in sigs}))["state"] == {ANY: 2, "confirmed": 1, "invalidated": 1}


def test_exported_signals_read_back_as_written(tmp_path):
    sigs = signals()[:2]
    path = tmp_path / "out.csv"
    assert write_signals_csv(path, sigs) == 2
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == ["s0", "s1"]
    assert rows[0]["known_time_utc"] == "2026-01-19 21:00"  # 1768856400000 ms, by hand
    assert rows[0]["assets"] == "BTC/USDT:USDT / ETH/USDT:USDT"
    assert (float(rows[0]["entry"]), float(rows[0]["stop"]), float(rows[0]["target"])) == (3196.93, 3236.60, 3061.35)
    assert rows[0]["levels"] == "BTC/USDT:USDT.new=93379.0; ETH/USDT:USDT.prior=3301.5"


def test_the_chime_is_short_audible_and_unclipped():
    with wave.open(str(alert_sound_path())) as f:
        assert (f.getnchannels(), f.getsampwidth()) == (1, 2)
        seconds = f.getnframes() / f.getframerate()
        samples = np.frombuffer(f.readframes(f.getnframes()), dtype="<i2").astype(float)
    assert 0.2 < seconds < 1.0
    peak = np.abs(samples).max() / 32767
    assert 0.2 < peak < 0.9, "heard, and no clipping"
    assert np.abs(samples[-50:]).max() < 0.01 * 32767, "it fades out: no click at the end"


def test_the_chime_is_played_by_the_desktops_player(tmp_path, monkeypatch):
    heard = tmp_path / "heard"
    player = tmp_path / "paplay"
    player.write_text(f'#!/bin/sh\necho "$@" > {heard}\n')
    player.chmod(player.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    AlertSound().play()
    deadline = time.monotonic() + 10
    while not heard.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert heard.read_text().strip() == str(alert_sound_path())


def test_a_loop_compiled_now_is_counted_and_a_loaded_one_is_not(monkeypatch):
    probe = types.ModuleType("smtdesk.core._compile_probe")
    probe.double = numba.njit(lambda x: 2 * x)
    monkeypatch.setitem(sys.modules, probe.__name__, probe)
    before = compiled_so_far()
    assert probe.double(3) == 6  # first call: compiled
    assert compiled_so_far() == before + 1
    assert probe.double(4) == 8  # compiled already
    assert compiled_so_far() == before + 1


def test_a_notice_stack_dropped_with_notices_showing_goes_quietly(qtbot, monkeypatch):
    monkeypatch.setattr(notice, "SHOW_MS", 50)

    def drop():
        stack = notice.NoticeStack()
        stack.warn("the exchange is down")

    drop()
    gc.collect()
    qtbot.wait(300)  # the notice's time runs out after its stack is gone: nothing crashes


def test_a_burst_of_alerts_shows_the_newest_few_each_as_tall_as_its_text(qtbot):
    host = QWidget()
    host.resize(1200, 700)
    qtbot.addWidget(host)
    stack = notice.NoticeStack(host)
    burst = [replace(s, id=f"a{i}") for i, s in enumerate(signals() * 2)][:notice.MAX_CARDS + 2]
    stack.announce(burst)
    cards = notice_cards(stack)
    assert [c.signal.id for c in cards] == [s.id for s in burst[::-1][:notice.MAX_CARDS]]
    host.show()
    qtbot.waitExposed(host)
    for card in cards:
        assert card.height() >= card.label.heightForWidth(card.label.width()) > 0
    stack.warn("The exchange did not answer in time; the cache is shown. " * 3)
    wide = notice_cards(stack)[0].height()
    host.resize(260, 700)  # the warning wraps to more lines
    assert notice_cards(stack)[0].height() > wide
