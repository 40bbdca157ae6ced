"""The settings model and its file: bounds, rules, round trip, bad files, migration."""

import json

import pytest

from smtdesk.core.signal import Direction, Signal, State, TradePlan
from smtdesk.settings import (
    alert_policy,
    SCHEMA_VERSION,
    LayoutSettings,
    Settings,
    SettingsError,
    SwingSettings,
    indicator_config,
    indicator_signal_params,
    load_settings,
    replace_section,
    save_settings,
    smt_params,
)


def _changed() -> Settings:
    s = replace_section(Settings(), "swings", major_strength=8, minor_strength=3)
    s = replace_section(s, "signals", funding_high_pct=0.05, ratio_low=0.5)
    s = replace_section(s, "indicators", ma_periods=(7, 30), bb_stddev=2.5)
    s = replace_section(s, "risk", account_size=2500.0)
    s = replace_section(s, "alerts", forming=False)
    s = replace_section(s, "appearance", theme="light")
    return replace_section(s, "layout", stacked=True, panels=("macd", "rsi"), symbols=("A/USDT", "B/USDT"),
                           geometry="AdnQywADAAA=")


def test_defaults_are_domain_md():
    s = Settings()
    assert (s.swings.major_strength, s.swings.minor_strength) == (5, 2)
    assert (s.smt.mss_wait, s.smt.stop_buffer_atr, s.smt.correlation_window, s.smt.correlation_min) == (20, 0.1, 200, 0.7)
    assert s.smt.htf_alignment
    assert s.indicators.ma_periods == (5, 10, 20, 50, 200)
    assert (s.indicators.macd_fast, s.indicators.macd_slow, s.indicators.macd_signal) == (12, 26, 9)
    assert (s.signals.funding_high_pct, s.signals.funding_low_pct) == (0.03, -0.01)
    assert (s.risk.risk_pct, s.risk.account_size) == (1.0, 10_000.0)


def test_round_trip_through_the_file(tmp_path):
    path = tmp_path / "settings.json"
    s = _changed()
    save_settings(path, s)
    loaded = load_settings(path)
    assert loaded.problem is None
    assert loaded.settings == s
    data = json.loads(path.read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["swings"]["major_strength"] == 8
    assert data["layout"]["panels"] == ["macd", "rsi"]


def test_no_file_gives_the_defaults_silently(tmp_path):
    loaded = load_settings(tmp_path / "settings.json")
    assert loaded.settings == Settings() and loaded.problem is None


def test_a_missing_field_takes_its_default(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"schema_version": SCHEMA_VERSION, "swings": {"major_strength": 7}}))
    loaded = load_settings(path)
    assert loaded.problem is None
    assert loaded.settings.swings == SwingSettings(major_strength=7)
    assert loaded.settings.smt == Settings().smt


@pytest.mark.parametrize("value", [0, 51, 5.5, True, "5"])
def test_major_strength_out_of_bounds_or_type_is_refused(value):
    with pytest.raises(SettingsError) as err:
        SwingSettings(major_strength=value)
    assert "Major swing strength" in str(err.value)


def test_bounds_are_inclusive():
    assert SwingSettings(major_strength=50).major_strength == 50
    assert SwingSettings(major_strength=1, minor_strength=1).major_strength == 1


@pytest.mark.parametrize(
    ("section", "changes", "words"),
    [
        ("swings", {"minor_strength": 6}, "minor swing strength cannot exceed"),
        ("indicators", {"cross_fast": 20}, "fast MA"),
        ("indicators", {"macd_fast": 26}, "MACD fast"),
        ("indicators", {"rsi_tier_2": 95.0}, "tiers must rise"),
        ("indicators", {"ma_periods": (5, 5)}, "must not repeat"),
        ("indicators", {"ma_periods": (1, 20)}, "from 2 to 1000"),
        ("indicators", {"ma_periods": ()}, "whole numbers"),
        ("signals", {"funding_low_pct": 0.05}, "funding threshold"),
        ("signals", {"ratio_low": 2.0}, "ratio threshold"),
        ("appearance", {"theme": "pink"}, "one of dark, light"),
        ("smt", {"correlation_min": float("nan")}, "must be a number"),
    ],
)
def test_rules_between_fields_are_worded(section, changes, words):
    with pytest.raises(SettingsError) as err:
        replace_section(Settings(), section, **changes)
    assert words in str(err.value)


def test_layout_pair_names_two_symbols():
    with pytest.raises(SettingsError):
        LayoutSettings(symbols=("A/USDT",))


def _kept_aside(tmp_path) -> list:
    return sorted(p for p in tmp_path.iterdir() if p.name.startswith("settings.invalid-"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "does not hold a group"),
        (json.dumps({"schema_version": SCHEMA_VERSION, "swings": {"major_strength": 0}}), "from 1 to 50"),
        (json.dumps({"schema_version": SCHEMA_VERSION, "swings": {"major_strenght": 6}}), "unknown setting"),
        (json.dumps({"schema_version": SCHEMA_VERSION + 1}), "newer smtdesk"),
        (json.dumps({"swings": {}}), "no schema version"),
    ],
)
def test_a_bad_file_gives_defaults_a_message_and_is_kept_aside(tmp_path, text, reason):
    path = tmp_path / "settings.json"
    path.write_text(text)
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert reason in loaded.problem
    assert str(path) in loaded.problem and "default settings" in loaded.problem
    aside = _kept_aside(tmp_path)
    assert len(aside) == 1 and aside[0].read_text() == text
    assert str(aside[0]) in loaded.problem
    assert not path.exists()
    # saving again writes a fresh file and leaves the kept one alone
    save_settings(path, loaded.settings)
    assert load_settings(path).problem is None
    assert aside[0].read_text() == text


def test_an_unreadable_file_is_kept_aside(tmp_path):
    path = tmp_path / "settings.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    loaded = load_settings(path)
    assert loaded.settings == Settings() and "could not be read" in loaded.problem
    assert len(_kept_aside(tmp_path)) == 1


def test_schema_1_funding_fractions_migrate_to_percent(tmp_path):
    path = tmp_path / "settings.json"
    v1 = {
        "schema_version": 1,
        "swings": {"major_strength": 7},
        "signals": {"funding_high": 0.0005, "funding_low": -0.0002, "ratio_high": 2.5},
    }
    path.write_text(json.dumps(v1))
    loaded = load_settings(path)
    assert loaded.problem is None
    g = loaded.settings.signals
    assert g.funding_high_pct == pytest.approx(0.05)
    assert g.funding_low_pct == pytest.approx(-0.02)
    assert g.ratio_high == 2.5
    assert loaded.settings.swings.major_strength == 7
    save_settings(path, loaded.settings)
    assert json.loads(path.read_text())["schema_version"] == SCHEMA_VERSION


def test_core_parameters_follow_the_settings():
    s = _changed()
    assert smt_params(s).major == 8 and smt_params(s).minor == 3
    assert smt_params(s).account_size == 2500.0
    assert smt_params(s).pool_tolerance == pytest.approx(0.001)  # 0.1 % of price
    p = indicator_signal_params(s)
    assert p.funding_high == pytest.approx(0.0005)  # 0.05 % written as a fraction
    assert p.funding_low == pytest.approx(-0.0001)
    assert p.ratio_low == 0.5
    assert p.overheat_tiers == (70.0, 80.0, 90.0) and p.oversold_tiers == (30.0, 20.0, 10.0)
    assert indicator_config(s).sma_periods == (7, 30) and indicator_config(s).bb_stddev == 2.5


def should_alert(s, kind, state, tags, rr=None) -> bool:
    plan = None if rr is None else TradePlan(Direction.BEARISH, 100.0, 101.0, 100.0 - rr, rr, 1.0, "mss retest")
    sig = Signal(id="x", kind=kind, direction=Direction.BEARISH, state=State(state), assets=("A", "B"),
                 timeframe="1h", ref_time=0, known_time=0, tags=frozenset(tags), plan=plan)
    return alert_policy(s).alerts(sig)


@pytest.mark.parametrize(
    ("kind", "state", "tags", "rr", "alerts"),
    [
        ("smt", "forming", (), None, True),
        ("smt", "divergence", {"aligned"}, None, True),
        ("smt", "confirmed", (), 3.0, True),
        ("smt", "cancelled", (), None, False),
        ("smt", "invalidated", (), None, False),
        ("smt", "forming", {"counter-trend"}, None, False),
        ("smt", "forming", {"weak pair"}, None, False),
        ("rsi_divergence", "triggered", (), None, False),
        ("rsi_failure_swing", "triggered", (), None, True),
        ("overheat_long", "triggered", (), None, True),
        ("rsi_cross_70", "triggered", (), None, False),
        ("bb_squeeze", "triggered", (), None, False),
        ("oi_shorts_building", "triggered", (), None, False),
        ("whale_split", "triggered", (), None, False),
    ],
)
def test_default_alert_policy(kind, state, tags, rr, alerts):
    assert should_alert(Settings(), kind, state, tags, rr) is alerts


def test_alert_policy_follows_its_settings():
    s = replace_section(Settings(), "alerts", forming=False, mute_weak_pair=False, crosses=True)
    s = replace_section(s, "risk", min_reward_risk=2.0)
    assert not should_alert(s, "smt", "forming", ())
    assert should_alert(s, "smt", "divergence", {"weak pair"})
    assert not should_alert(s, "smt", "divergence", {"counter-trend"})
    assert should_alert(s, "kdj_cross", "triggered", ())
    assert not should_alert(s, "smt", "confirmed", (), 1.5)
    assert should_alert(s, "smt", "confirmed", (), 2.0)


def test_without_the_higher_timeframe_check_counter_trend_does_not_mute():
    s = replace_section(Settings(), "smt", htf_alignment=False)
    assert should_alert(s, "smt", "forming", {"counter-trend"})
    assert not should_alert(s, "smt", "forming", {"weak pair"})
