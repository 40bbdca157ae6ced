"""How a signal reads in the sidebar's detail view and the alert banner."""

import dataclasses

from smtdesk.core.signal import State
from smtdesk.ui import signal_text
from tests.data.test_alert_log import smt


def test_the_reason_names_assets_as_traders_read_them():
    sig = dataclasses.replace(smt(State.CONFIRMED), reason="ETH/USDT:USDT closed below the MSS level")
    assert signal_text.reason(sig) == "ETH closed below the MSS level"
    assert "ETH closed below the MSS level" in signal_text.summary(sig)
    assert "ETH closed below the MSS level" in signal_text.detail(sig)


def test_the_detail_view_carries_every_level_its_bar_and_the_plan():
    sig = smt(State.CONFIRMED, plan=True)
    text = signal_text.detail(sig)
    assert "BTC new" in text and "93,379.00  at 2026-01-19 16:00" in text
    assert "ETH prior" in text and "3,301.50  at 2026-01-18 21:00" in text
    for value in ("3,196.93 (mss retest)", "3,236.60", "3,061.35", "3.40", "12.6000"):
        assert value in text
    assert "Known at close of" in text and "2026-01-19 21:00 UTC" in text
    assert "RSI &lt; 30" in signal_text.detail(dataclasses.replace(sig, reason="RSI < 30")), "text, not markup"


def test_an_indicator_signal_reads_in_words_with_its_asset():
    from smtdesk.core.signal import Direction, Signal, State

    sig = Signal(id="rsi_failure_swing:bullish:ETH/USDT:USDT:1", kind="rsi_failure_swing",
                 direction=Direction.BULLISH, state=State.TRIGGERED, assets=("ETH/USDT:USDT",),
                 timeframe="1h", ref_time=0, known_time=0,
                 levels={"rsi.peak": 28.34, "rsi.failure": 38.31, "rsi": 40.03})
    assert signal_text.title(sig) == "▲ Bullish RSI failure swing · ETH"
    assert signal_text.summary(sig) == "RSI peak 28.34, RSI failure 38.31, RSI 40.03"
