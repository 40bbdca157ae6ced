"""The status bar's words for the worker's :class:`~smtdesk.data.status.Status`."""

from __future__ import annotations

from datetime import datetime, timezone

from smtdesk.data.status import Phase, Status


def describe(s: Status) -> str:
    if s.phase is Phase.NOTE:
        return s.reason
    built = f", built from {s.built_from} candles" if s.built_from else ""
    why = f" ({s.reason})" if s.reason else ""
    match s.phase:
        case Phase.CHECKING:
            body = f"checking {s.what}"
        case Phase.LOADING:
            body = f"loading {s.what}{built}{why}"
        case Phase.ANALYSING if s.compiling:
            body = "analysing the history (the first start also prepares the analysis for this computer, once)"
        case Phase.ANALYSING:
            body = "analysing the history"
        case Phase.CACHED:
            body = f"showing {s.count} cached candles, connecting for the rest"
        case Phase.FETCHING if s.percent is not None:
            body = f"fetching missing candles, {s.percent} %"
        case Phase.FETCHING:
            body = f"fetching missing {s.what} candles{built}"
        case Phase.OFFLINE:
            resume = datetime.fromtimestamp(s.resume_at / 1000, timezone.utc)
            state = "offline (cached)" if s.cached else "offline"
            body = f"{state}, trying again at {resume:%H:%M:%S} UTC{why}"
        case Phase.NO_LIVE:
            body = f"{s.count} candles, no live data"
        case Phase.LIVE | Phase.STOPPED:
            body = f"{s.phase.value}{why}"
        case _:
            body = s.phase.value
    return f"{s.source}: {body}"
