"""The drawing tools, as the tool bar and the Draw menu offer them."""

from __future__ import annotations

from dataclasses import dataclass

from smtdesk.core.drawings import (
    ELLIOTT,
    FIB_EXTENSION,
    FIB_RETRACEMENT,
    HLINE,
    RECT,
    TREND,
)


@dataclass(frozen=True, slots=True)
class Tool:
    kind: str
    title: str
    """In the Draw menu."""
    noun: str
    """In undo steps and context menus ("Delete trend line")."""
    shortcut: str
    """Alt and a letter no menu title uses as its mnemonic (File, Edit, View, Draw)."""


TOOLS = {t.kind: t for t in (
    Tool(HLINE, "&Horizontal line", "horizontal line", "Alt+L"),
    Tool(TREND, "&Trend line", "trend line", "Alt+T"),
    Tool(RECT, "&Rectangle", "rectangle", "Alt+R"),
    Tool(FIB_RETRACEMENT, "&Fibonacci retracement", "Fibonacci retracement", "Alt+B"),
    Tool(FIB_EXTENSION, "Fibonacci e&xtension", "Fibonacci extension", "Alt+X"),
    Tool(ELLIOTT, "&Elliott wave labels", "Elliott wave labels", "Alt+W"),
)}
