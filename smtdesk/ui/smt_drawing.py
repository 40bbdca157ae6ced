"""What an SMT signal and its trade plan draw on one asset's price pane (domain §5, §5a).

Plain data, built from the engine's records: lines, shaded zones and labels in chart
coordinates (x in epoch seconds), coloured from a palette.
:class:`~smtdesk.ui.items.smt_setup.SmtSetupItem` paints them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from smtdesk.core.signal import Direction, Signal, State
from smtdesk.ui.items.axes import format_price
from smtdesk.ui.signal_text import short_symbol
from smtdesk.ui.theme import Palette, faded

ENDED = frozenset({State.CANCELLED, State.INVALIDATED})
FADED_ALPHA = 0x66
ENDED_LABEL_ALPHA = 0x99
ZONE_ALPHA = 0x30
LINE_WIDTH = 2.0
LEVEL_WIDTH = 1.5
SWING_MARKER_PX = 20.0
"""A label over a swing clears the swing's triangle marker."""


@dataclass(frozen=True, slots=True)
class Line:
    """A segment; ``role`` says what it is ("smt", "mss", "entry", "stop", "target"),
    ``owner`` whose (a signal id)."""

    owner: str
    role: str
    x0: float
    y0: float
    x1: float
    y1: float
    colour: str
    width: float = LINE_WIDTH
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Zone:
    """A shaded box; ``role`` is "stop" (entry to stop) or "target" (entry to target)."""

    owner: str
    role: str
    x0: float
    y0: float
    x1: float
    y1: float
    fill: str


@dataclass(frozen=True, slots=True)
class Spot:
    """A place a label may take: its box aligned on the point (x, y) by (ax, ay) (0 the
    box's left or top edge there, 0.5 its centre, 1 its right or bottom edge), then
    moved (dx, dy) pixels (y down)."""

    x: float
    y: float
    ax: float
    ay: float
    dx: float = 0.0
    dy: float = 0.0


@dataclass(frozen=True, slots=True)
class Label:
    """Rows of (text, colour) in a box; drawn at the first free ``spots`` entry while
    anything between ``x0`` and ``x1`` (what it labels) is on screen."""

    owner: str
    role: str
    rows: tuple[tuple[str, str], ...]
    spots: tuple[Spot, ...]
    x0: float
    x1: float
    fill: str
    border: str


@dataclass(frozen=True, slots=True)
class Drawing:
    lines: tuple[Line, ...] = ()
    zones: tuple[Zone, ...] = ()
    labels: tuple[Label, ...] = ()

    def __add__(self, other: Drawing) -> Drawing:
        return Drawing(self.lines + other.lines, self.zones + other.zones, self.labels + other.labels)


@dataclass(frozen=True, slots=True)
class Account:
    """What a plan's position size assumes (the risk settings)."""

    size: float
    risk_pct: float


def smt_title(sig: Signal) -> str:
    """"Bearish SMT · divergence"."""
    return f"{sig.direction.value.capitalize()} SMT · {sig.state.value}"


def _label(sig: Signal, role: str, rows, spots, x0: float, x1: float, p: Palette) -> Label:
    fill, border = p.label_fill, p.axis
    if sig.state in ENDED:  # an ended signal's label steps back with its lines
        fill, border = faded(fill, ENDED_LABEL_ALPHA), faded(border, FADED_ALPHA)
    return Label(sig.id, role, tuple(rows), tuple(spots), min(x0, x1), max(x0, x1), fill, border)


def smt_drawing(sig: Signal, symbol: str, p: Palette, *, last_time: float) -> Drawing:
    """The line joining ``symbol``'s two swings of the signal, labelled with its
    direction and state, and on the traded asset its MSS level; ``last_time`` is the
    newest bar's time (seconds), where a level still awaiting its break runs to."""
    if sig.kind != "smt" or len(sig.assets) != 2 or symbol not in sig.assets:
        return Drawing()
    sweeper, other = sig.assets
    first, second = (f"{symbol}.swept" if symbol == sweeper else f"{symbol}.prior"), f"{symbol}.new"
    if not all(k in sig.levels and k in sig.level_times for k in (first, second)):
        return Drawing()
    ended = sig.state in ENDED
    bearish = sig.direction is Direction.BEARISH
    colour = p.down if bearish else p.up
    if ended:
        colour = faded(colour, FADED_ALPHA)
    x0, x1 = sig.level_times[first] / 1000.0, sig.level_times[second] / 1000.0
    y0, y1 = float(sig.levels[first]), float(sig.levels[second])
    if symbol == other and x1 == x0:
        # Both of the other asset's levels on one bar (it never made a new extreme):
        # its level runs to the sweeper's new swing, so the level that held shows.
        x1 = max(x1, sig.level_times.get(f"{sweeper}.new", sig.level_times[second]) / 1000.0)
    # Before the divergence the new levels are the running extremes so far (§5a rule 4).
    lines = [Line(sig.id, "smt", x0, y0, x1, y1, colour, dashed=sig.provisional)]
    side = -1.0 if bearish else 1.0  # device y: highs are labelled above, lows below
    ay = 1.0 if bearish else 0.0
    text_colour = p.text_muted if ended else colour
    labels = [_label(sig, "smt", [(smt_title(sig), text_colour)], (
        Spot(x1, y1, 0.5, ay, dy=side * SWING_MARKER_PX),
        Spot(x1, y1, 0.0, ay, dx=6, dy=side * SWING_MARKER_PX),
        Spot(x1, y1, 1.0, ay, dx=-6, dy=side * SWING_MARKER_PX),
    ), x0, x1, p)]
    if symbol == other and "mss" in sig.levels and "mss" in sig.level_times:
        mss = _mss(sig, p, last_time=last_time, bearish=bearish, ended=ended)
        lines.append(mss[0])
        labels.append(mss[1])
    return Drawing(lines=tuple(lines), labels=tuple(labels))


def _mss(sig: Signal, p: Palette, *, last_time: float, bearish: bool, ended: bool) -> tuple[Line, Label]:
    """The MSS level from its swing to the bar that broke it (confirmed), to the newest
    bar while the break is awaited (dashed), or to the bar the signal ended (faded)."""
    y = float(sig.levels["mss"])
    x0 = sig.level_times["mss"] / 1000.0
    waiting = sig.state is State.DIVERGENCE
    x1 = max(last_time, x0) if waiting else sig.known_time / 1000.0
    colour = faded(p.entry, FADED_ALPHA) if ended else p.entry
    line = Line(sig.id, "mss", x0, y, x1, y, colour, width=LEVEL_WIDTH, dashed=waiting)
    text = f"MSS {format_price(y)}"
    if waiting:
        text += f" · awaiting a close {'below' if bearish else 'above'}"
    # Left of the swing the level starts at, as a tag on the line; else on the side
    # the candles leave free until the break (under a bearish MSS low, over a bullish one).
    ay, side = (0.0, 1.0) if bearish else (1.0, -1.0)
    spots = (
        Spot(x0, y, 1.0, 0.5, dx=-6),
        Spot(x0, y, 0.0, ay, dx=2, dy=side * 3),
        Spot(x0, y, 0.0, 1.0 - ay, dx=2, dy=-side * 3),
    )
    return line, _label(sig, "mss", [(text, p.text_muted if ended else p.text)], spots, x0, x1, p)


def _quote(symbol: str) -> str:
    """"ETH/USDT:USDT" -> "USDT" (the settle currency, else the quote)."""
    pair, _, settle = symbol.partition(":")
    return settle or pair.partition("/")[2] or "?"


def _amount(v: float) -> str:
    if not math.isfinite(v):
        return "–"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.2f}"


def _quantity(v: float) -> str:
    if not math.isfinite(v):
        return "–"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.3f}" if abs(v) >= 1 else f"{v:,.4f}"


def plan_rows(sig: Signal, account: Account, p: Palette) -> list[tuple[str, str]]:
    """The plan label: side and R:R, the three prices top to bottom as on the chart,
    the size in the base asset and what it risks of the account."""
    plan = sig.plan
    symbol = sig.assets[-1]
    base, quote = short_symbol(symbol), _quote(symbol)
    bearish = plan.direction is Direction.BEARISH
    rr = f"{plan.reward_risk:.2f}" if math.isfinite(plan.reward_risk) else "–"
    head = (f"{'Short' if bearish else 'Long'} {base} · R:R {rr}", p.text)

    def move(price: float) -> str:
        return f" ({price / plan.entry - 1:+.2%})" if math.isfinite(price) and plan.entry else ""

    reason = "FVG" if plan.entry_reason == "fvg" else "MSS retest"
    target = f"Target {format_price(plan.target)}{move(plan.target)}" if math.isfinite(plan.target) else (
        "Target – (no pool in reach)")
    prices = [
        (plan.target, (target, p.up)),
        (plan.entry, (f"Entry {format_price(plan.entry)} ({reason})", p.entry)),
        (plan.stop, (f"Stop {format_price(plan.stop)}{move(plan.stop)}", p.down)),
    ]
    if not math.isfinite(plan.target):
        prices[0] = (-math.inf if bearish else math.inf, prices[0][1])
    prices.sort(key=lambda row: -row[0])
    risked = plan.position_size * abs(plan.entry - plan.stop)
    return [
        head,
        *(row for _, row in prices),
        (f"Size {_quantity(plan.position_size)} {base} ≈ {_amount(plan.position_size * plan.entry)} {quote}", p.text),
        (f"Risk {_amount(risked)} {quote} = {account.risk_pct:g}% of {_amount(account.size)} {quote}", p.text_muted),
    ]


def plan_drawing(sig: Signal, symbol: str, p: Palette, *, bar_seconds: float, bars: int, account: Account) -> Drawing:
    """The plan of a confirmed signal on the traded asset ``symbol``: entry to stop
    shaded red, entry to target green, from the signal's bar ``bars`` bars right."""
    plan = sig.plan
    if plan is None or sig.assets[-1] != symbol:
        return Drawing()
    x0 = sig.known_time / 1000.0
    x1 = x0 + bars * bar_seconds
    entry, stop, target = plan.entry, plan.stop, plan.target
    has_target = math.isfinite(target)
    zones = [Zone(sig.id, "stop", x0, min(entry, stop), x1, max(entry, stop), faded(p.down, ZONE_ALPHA))]
    lines = [Line(sig.id, "entry", x0, entry, x1, entry, p.entry, width=LEVEL_WIDTH),
             Line(sig.id, "stop", x0, stop, x1, stop, p.down, width=LEVEL_WIDTH)]
    if has_target:
        zones.append(Zone(sig.id, "target", x0, min(entry, target), x1, max(entry, target), faded(p.up, ZONE_ALPHA)))
        lines.append(Line(sig.id, "target", x0, target, x1, target, p.up, width=LEVEL_WIDTH))
    far = target if has_target else entry
    # device y grows down: for a short the target lies below (ay 0 puts the box under it)
    down = 0.0 if plan.direction is Direction.BEARISH else 1.0
    side = 1.0 if down == 0.0 else -1.0
    spots = (
        Spot(x0, far, 0.0, down, dx=4, dy=side * 4),  # beyond the target: future bars
        Spot(x0, stop, 0.0, 1.0 - down, dx=4, dy=-side * 4),  # beyond the stop
        Spot(x1, entry, 0.0, 0.5, dx=6),  # right of the zones
        Spot(x0, entry, 1.0, 0.5, dx=-6),  # left of them
        Spot(x0, entry, 0.0, down, dx=4, dy=side * 4),  # inside the target zone
    )
    label = _label(sig, "plan", plan_rows(sig, account, p), spots, x0, x1, p)
    return Drawing(lines=tuple(lines), zones=tuple(zones), labels=(label,))
