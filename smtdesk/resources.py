"""Where the shipped resources (demo market, icons) are, however smtdesk was installed."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The resources folder: ``SMTDESK_RESOURCES`` when set, else the bundle's own copy, the
    checkout's ``resources/`` beside the package, or the installed ``share/smtdesk``."""
    override = os.environ.get("SMTDESK_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)  # set by the one-folder bundle's boot loader
    if bundle:
        return Path(bundle) / "resources"
    checkout = Path(__file__).resolve().parents[1] / "resources"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "smtdesk" / "resources"
