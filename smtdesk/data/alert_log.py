"""Alerts raised once, ever: each (signal id, state) is kept in the user store.

A restart replays the same history and the same live events; an alert already in the
log is not raised again, and the log lists every alert with the moment it was raised.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from smtdesk.core.signal import Direction, Signal, State, TradePlan
from smtdesk.data.userstore import UserStore
from smtdesk.errors import StorageError

DEMO = "demo"


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    raised_at: int
    """Wall-clock time the alert was shown, epoch ms."""
    signal: Signal


def signal_payload(sig: Signal) -> dict:
    plan = None
    if sig.plan is not None:
        p = sig.plan
        plan = {
            "direction": p.direction.value, "entry": p.entry, "stop": p.stop, "target": p.target,
            "reward_risk": p.reward_risk, "position_size": p.position_size, "entry_reason": p.entry_reason,
        }
    return {
        "id": sig.id, "kind": sig.kind, "direction": sig.direction.value, "state": sig.state.value,
        "assets": list(sig.assets), "timeframe": sig.timeframe, "ref_time": sig.ref_time,
        "known_time": sig.known_time, "levels": dict(sig.levels), "level_times": dict(sig.level_times),
        "tags": sorted(sig.tags), "plan": plan, "reason": sig.reason, "provisional": sig.provisional,
    }


def signal_from_payload(d: dict) -> Signal:
    plan = d.get("plan")
    return Signal(
        id=d["id"], kind=d["kind"], direction=Direction(d["direction"]), state=State(d["state"]),
        assets=tuple(d["assets"]), timeframe=d["timeframe"], ref_time=int(d["ref_time"]),
        known_time=int(d["known_time"]), levels=d["levels"],
        level_times={k: int(v) for k, v in d["level_times"].items()}, tags=frozenset(d["tags"]),
        plan=None if plan is None else TradePlan(
            direction=Direction(plan["direction"]), entry=plan["entry"], stop=plan["stop"],
            target=plan["target"], reward_risk=plan["reward_risk"],
            position_size=plan["position_size"], entry_reason=plan["entry_reason"],
        ),
        reason=d.get("reason", ""), provisional=bool(d.get("provisional", False)),
    )


class AlertLog:
    """Decides whether an alert is new and remembers it; in memory without a store.

    ``venue`` is the market the signals come from. The demo replays the same recording
    every run, so its alerts are kept for this run only: a trader trying the demo
    again sees them again.
    """

    def __init__(self, store: UserStore | None = None, *, venue: str = "") -> None:
        self._store = store
        self.venue = venue
        self._seen: set[str] = set()

    def _key(self, sig: Signal) -> str:
        return f"{self.venue}|{sig.id}|{sig.state.value}"

    def raise_once(self, sig: Signal, *, now_ms: int | None = None) -> bool:
        """True the first time this signal reaches this state (then it is logged)."""
        key = self._key(sig)
        if key in self._seen:
            return False
        self._seen.add(key)
        if self._store is None or self.venue == DEMO:
            return True
        raised_at = int(time.time() * 1000) if now_ms is None else now_ms
        try:
            return self._store.record_alert(key, raised_at, signal_payload(sig))
        except StorageError:
            # the store has told the user; the alert is shown and kept for this run
            return True

    def history(self, *, limit: int = 500) -> list[RaisedAlert]:
        """Alerts raised so far, newest first (this run's and earlier ones)."""
        if self._store is None:
            return []
        raised = []
        for record in self._store.alerts(limit=limit):
            try:
                raised.append(RaisedAlert(record.raised_at, signal_from_payload(record.payload)))
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                self._store.drop_alert(record.id, json.dumps(record.payload),
                                       f"not an alert: {type(exc).__name__} {exc}")
        return raised
