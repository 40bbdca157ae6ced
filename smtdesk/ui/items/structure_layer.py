"""The market-structure items of one price pane, each shown or hidden on its own."""

from __future__ import annotations

import pyqtgraph as pg

from smtdesk.core.analysis import AssetAnalysis
from smtdesk.ui.items.gaps import GapItem
from smtdesk.ui.items.minor_swings import MinorSwingItem
from smtdesk.ui.items.order_blocks import OrderBlockItem
from smtdesk.ui.items.pools import PoolItem
from smtdesk.ui.items.sweeps import SweepItem
from smtdesk.ui.theme import Palette

STRUCTURE_LAYERS = {
    "minor_swings": "Minor swings",
    "gaps": "Fair value gaps",
    "order_blocks": "Order blocks",
    "pools": "Liquidity pools (equal highs/lows)",
    "sweeps": "Sweeps",
}
"""Key and menu title of each structure layer, in menu order."""


class StructureLayer:
    """Minor swings, gaps, order blocks, pools and sweeps over one price plot; all hidden
    until shown."""

    def __init__(self, plot: pg.PlotItem, palette: Palette) -> None:
        self.items = {
            "minor_swings": MinorSwingItem(palette=palette),
            "gaps": GapItem(palette=palette),
            "order_blocks": OrderBlockItem(palette=palette),
            "pools": PoolItem(palette=palette),
            "sweeps": SweepItem(palette=palette),
        }
        for key, item in self.items.items():
            item.setVisible(False)
            # boxes under the candles, lines and markers over them
            item.setZValue(-1 if key in ("gaps", "order_blocks") else 2)
            plot.addItem(item, ignoreBounds=True)

    def set_shown(self, key: str, shown: bool) -> None:
        self.items[key].setVisible(shown)

    def set_palette(self, palette: Palette) -> None:
        for item in self.items.values():
            item.set_palette(palette)

    def set_analysis(self, analysis: AssetAnalysis, bar_seconds: float) -> None:
        s, c = analysis.structure, analysis.candles
        if s is None:
            return
        self.items["minor_swings"].set_swings(c, s.minor, analysis.swings, bar_seconds)
        self.items["gaps"].set_gaps(c, s.gaps, bar_seconds)
        self.items["order_blocks"].set_shifts(c, s.shifts, bar_seconds)
        self.items["pools"].set_pools(c, s.pools)
        self.items["sweeps"].set_pools(c, s.pools)
