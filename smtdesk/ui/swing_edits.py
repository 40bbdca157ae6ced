"""What the user changed of one series' swings, and the undo step of each change.

Every change (a swing marked, moved, removed; an automatic one moved or deleted) is the
whole set of hand-placed and deleted swings before and after it, so undo and redo are
simply "send that set again" and the engine re-runs on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtGui import QUndoCommand

from smtdesk.core.structure.swings import ManualSwing, SuppressedSwing


def _sorted(swings: Iterable) -> tuple:
    return tuple(sorted(set(swings), key=lambda s: (s.time, s.kind)))


@dataclass(frozen=True, slots=True)
class SwingEdits:
    """The hand-placed swings of a series and the automatic ones deleted on it."""

    manual: tuple[ManualSwing, ...] = ()
    suppressed: tuple[SuppressedSwing, ...] = ()

    def changed(
        self,
        *,
        add: Iterable[ManualSwing] = (),
        drop: Iterable[ManualSwing] = (),
        suppress: Iterable[SuppressedSwing] = (),
    ) -> SwingEdits:
        gone = set(drop)
        return SwingEdits(
            _sorted([s for s in self.manual if s not in gone] + list(add)),
            _sorted([*self.suppressed, *suppress]),
        )


class SwingEditCommand(QUndoCommand):
    """One change of a series' swings; ``apply(series, edits)`` sends a set and says
    whether the series is still shown (a step of another series is dropped)."""

    def __init__(self, apply: Callable[[int, SwingEdits], bool], series: int,
                 before: SwingEdits, after: SwingEdits, text: str) -> None:
        super().__init__(text)
        self._apply, self._series = apply, series
        self._before, self._after = before, after

    def redo(self) -> None:
        if not self._apply(self._series, self._after):
            self.setObsolete(True)

    def undo(self) -> None:
        if not self._apply(self._series, self._before):
            self.setObsolete(True)
