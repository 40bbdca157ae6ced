"""How a signal event reads to a trader."""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from smtdesk.core.signal import Direction, Signal, State


def short_symbol(symbol: str) -> str:
    """"BTC/USDT:USDT" -> "BTC"."""
    return symbol.split("/")[0]


def display_symbol(symbol: str) -> str:
    """"BTC/USDT:USDT" -> "BTC/USDT perpetual"; spot symbols unchanged."""
    pair, _, settle = symbol.partition(":")
    return f"{pair} perpetual" if settle else pair


def bar_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


_WORDS = {"smt": "SMT", "rsi": "RSI", "macd": "MACD", "kdj": "KDJ", "cci": "CCI", "obv": "OBV",
          "mfi": "MFI", "adx": "ADX", "bb": "Bollinger", "ma": "MA", "oi": "OI", "dif": "DIF",
          "dea": "DEA", "j": "J", "k": "K"}


def _words(key: str) -> str:
    """A signal kind or level key in words: ``rsi_failure_swing`` -> "RSI failure swing"."""
    return " ".join(_WORDS.get(w, w) for w in key.replace(".", "_").split("_"))


def title(sig: Signal) -> str:
    arrow = "▲" if sig.direction is Direction.BULLISH else "▼"
    head = f"{arrow} {sig.direction.value.capitalize()} {_words(sig.kind)}"
    if sig.state is State.TRIGGERED:  # a one-shot reading of one asset has no states
        return f"{head} · {short_symbol(sig.assets[0])}"
    return f"{head} · {sig.state.value}"


def summary(sig: Signal) -> str:
    """One line naming who swept what and who held, with levels."""
    if sig.kind != "smt" or len(sig.assets) != 2:
        return ", ".join(f"{_words(k)} {v:,.2f}" for k, v in sig.levels.items())
    sweeper, other = sig.assets
    side = "high" if sig.direction is Direction.BEARISH else "low"
    parts = []
    swept = sig.levels.get(f"{sweeper}.swept")
    if swept is not None:
        parts.append(f"{short_symbol(sweeper)} swept {side} {swept:,.2f}")
    held = sig.levels.get(f"{other}.prior")
    if held is not None:
        parts.append(f"{short_symbol(other)} held {held:,.2f}")
    text = " · ".join(parts)
    if sig.plan is not None:
        p = sig.plan
        text += f" · entry {p.entry:,.2f} stop {p.stop:,.2f} target {p.target:,.2f} (R:R {p.reward_risk:.1f})"
    if sig.reason:
        text += f" · {reason(sig)}"
    return text


def reason(sig: Signal) -> str:
    """The engine's reason with each asset named as the trader reads it ("BTC")."""
    text = sig.reason
    for asset in sig.assets:
        text = text.replace(asset, short_symbol(asset))
    return text


def _level_name(name: str) -> str:
    """"ETH/USDT:USDT.swept" -> "ETH swept"; indicator levels in words ("RSI prior")."""
    asset, dot, what = name.rpartition(".")
    if dot and "/" in asset:
        return f"{short_symbol(asset)} {what}"
    return {"mss": "MSS level"}.get(name) or _words(name)


def detail(sig: Signal) -> str:
    """Everything the event carries, as rich text for the sidebar's detail view."""
    rows = [
        ("Timeframe", sig.timeframe),
        ("Assets", " / ".join(display_symbol(a) for a in sig.assets)),
        ("Referred bar", f"{bar_time(sig.ref_time)} UTC"),
        ("Known at close of", f"{bar_time(sig.known_time)} UTC"),
    ]
    for name, value in sig.levels.items():
        when = sig.level_times.get(name)
        rows.append((_level_name(name), f"{value:,.2f}" + (f"  at {bar_time(when)}" if when is not None else "")))
    p = sig.plan
    if p is not None:
        rows += [
            ("Entry", f"{p.entry:,.2f} ({p.entry_reason})"),
            ("Stop", f"{p.stop:,.2f}"),
            ("Target", f"{p.target:,.2f}"),
            ("Reward : risk", f"{p.reward_risk:.2f}"),
            ("Position size", f"{p.position_size:,.4f}"),
        ]
    if sig.tags:
        rows.append(("Tags", ", ".join(sorted(sig.tags))))
    if sig.reason:
        rows.append(("Why", reason(sig)))
    if sig.provisional:
        rows.append(("Note", "provisional levels: the new extremes so far, final at the divergence"))
    cells = "".join(
        f"<tr><td style='padding-right:10px'>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows
    )
    return f"<b>{escape(title(sig))}</b><table>{cells}</table>"
