"""Alerts raised once, ever: each (signal id, state) is kept in the user store.

A restart replays the same history and the same live events; an alert already in the
log is not raised again, and the log lists every alert with the moment it was raised.
"""

from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass

from smtdesk.core.signal import Direction, Signal, State, TradePlan
from smtdesk.data.userstore import UserStore
from smtdesk.errors import StorageError

HISTORY_LIMIT = 500
"""Alerts a history lists by default, the newest."""

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
    """The alert history: every raised alert with the moment it was raised, kept in the
    user store (in memory without one) per venue, the demo's too.

    Which events alert, and that each (id, state) alerts once, is the pair model's
    policy; the log tells it what was raised in earlier runs (:meth:`seen`).
    """

    def __init__(self, store: UserStore | None = None, *, venue: str = "") -> None:
        self._store = store
        self.venue = venue
        # raised in this run, the newest a history shows (the store keeps them all)
        self._kept: deque[RaisedAlert] = deque(maxlen=HISTORY_LIMIT)
        self._kept_keys: set[str] = set()

    def _key(self, sig: Signal) -> str:
        return f"{self.venue}|{sig.id}|{sig.state.value}"

    def seen(self) -> set[tuple[str, str]]:
        """(signal id, state) of every alert raised on this venue so far."""
        prefix = f"{self.venue}|"
        keys = set(self._kept_keys)
        if self._store is not None:
            keys.update(self._store.alert_ids(prefix))
        return {tuple(k[len(prefix):].rsplit("|", 1)) for k in keys if k.startswith(prefix)}

    def record(self, signals: tuple[Signal, ...], *, now_ms: int | None = None) -> tuple[RaisedAlert, ...]:
        """Keep ``signals`` as raised now; returns those not already in the history."""
        raised_at = int(time.time() * 1000) if now_ms is None else now_ms
        out = []
        for sig in signals:
            key = self._key(sig)
            if key in self._kept_keys:
                continue
            if self._store is not None:
                try:
                    if not self._store.record_alert(key, raised_at, signal_payload(sig)):
                        continue
                except StorageError:
                    pass  # the store has told the user; the alert is shown and kept for this run
            alert = RaisedAlert(raised_at, sig)
            self._kept.append(alert)
            self._kept_keys.add(key)
            out.append(alert)
        return tuple(out)

    def history(self, *, limit: int = HISTORY_LIMIT) -> list[RaisedAlert]:
        """Alerts raised so far, newest first (this run's and earlier ones)."""
        if self._store is None:
            return list(self._kept)[::-1][:limit]
        raised = []
        for record in self._store.alerts(limit=limit):
            try:
                raised.append(RaisedAlert(record.raised_at, signal_from_payload(record.payload)))
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                self._store.drop_alert(record.id, json.dumps(record.payload),
                                       f"not an alert: {type(exc).__name__} {exc}")
        return raised
