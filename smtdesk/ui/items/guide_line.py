"""A horizontal or vertical line across the whole view: a fixed level, a crosshair.

pyqtgraph's infinite line works out how far it reaches when the view paints; the new
extent then marks the whole view for another paint. This one takes its extent as soon
as the view moves, so each new range is painted once.
"""

from __future__ import annotations

import pyqtgraph as pg


class GuideLine(pg.InfiniteLine):
    def viewTransformChanged(self) -> None:
        super().viewTransformChanged()
        if self.isVisible():  # a hidden crosshair line takes it when shown
            self.boundingRect()
