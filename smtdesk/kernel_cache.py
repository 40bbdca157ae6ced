"""The compiled analysis loops: where they are kept, and how the first start builds them.

numba compiles the core's loops for this machine on their first use and keeps them in
``NUMBA_CACHE_DIR``. :func:`use_user_cache` points it at the user's cache folder before
numba loads, so the cache works wherever smtdesk is installed (read-only, system-wide,
``--user``): beside the package it often cannot be written.

Compiling takes seconds and holds the interpreter lock much of the time, which would
freeze the window. So the first start compiles them in a separate, lower-priority
process (:func:`main`) that runs the analysis on a small made-up
pair; the window shows the candles meanwhile, and the analysis then loads the loops
from the cache. A marker file says the cache is complete for this smtdesk and numba.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import threading
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

VARIABLE = "NUMBA_CACHE_DIR"
_CORE = Path(__file__).resolve().parent / "core"

log = logging.getLogger(__name__)
_lock = threading.Lock()


def user_cache_dir() -> Path:
    """The platform's per-user cache folder for smtdesk's compiled loops."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "smtdesk" / "Cache"
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches" / "smtdesk"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "smtdesk"
    return base / "numba"


def use_user_cache() -> None:
    """Keep the compiled loops in the user's cache folder unless ``NUMBA_CACHE_DIR`` says
    otherwise. Takes effect only before numba is imported."""
    os.environ.setdefault(VARIABLE, str(user_cache_dir()))


def _marker() -> Path:
    """The file that says the cache holds every loop of this smtdesk's core and numba."""
    try:
        numba_version = version("numba")
    except PackageNotFoundError:
        numba_version = "?"
    key = hashlib.sha1(f"{sys.version}|{numba_version}".encode())
    for path in sorted(_CORE.rglob("*.py")):
        stat = path.stat()
        key.update(f"{path.relative_to(_CORE)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return Path(os.environ.get(VARIABLE) or user_cache_dir()) / f"complete-{key.hexdigest()[:16]}"


def kernels_ready() -> None:
    """Return once the compiled loops are in the cache: at once when an earlier start
    built them, else after a separate process has. Blocks; call it off the window's
    thread. When that process cannot run (a failure), the loops compile in this process
    on their first use instead."""
    with _lock:
        marker = _marker()
        if marker.exists():
            return
        log.info("building the compiled analysis loops for this computer (once)")
        try:
            done = subprocess.run(build_command(), capture_output=True, text=True, check=False)
        except OSError as exc:
            log.warning("could not build the compiled analysis loops apart: %s", exc)
            return
        if done.returncode != 0:
            log.warning("building the compiled analysis loops failed:\n%s", done.stderr[-2000:])
            return
        log.info("compiled analysis loops built")


BUILD_FLAG = "--build-kernels"
"""What the bundle's program is started with to build the loops (it runs no ``-c``)."""


def build_command() -> list[str]:
    """The command of the process that builds the loops: this Python, or the bundle."""
    if getattr(sys, "frozen", False):
        return [sys.executable, BUILD_FLAG]
    return [sys.executable, "-c", f"from {__name__} import main; main()"]


def _warm() -> None:
    """Run every compiled loop the app uses on a small made-up pair, filling the cache."""
    import numpy as np

    from smtdesk.core.candles import Candles
    from smtdesk.core.pair_model import PairModel
    from smtdesk.core.resample import resample
    from smtdesk.core.signals.derivatives import Derivatives, Series

    n = 400
    rng = np.random.default_rng(1)
    t = 1_600_000_000_000 + np.arange(n + 1, dtype=np.int64) * 3_600_000

    def walk(price: float) -> Candles:
        close = price * np.exp(np.cumsum(rng.normal(0, 0.01, n + 1)))
        open_ = np.r_[close[0], close[:-1]]
        spread = np.abs(rng.normal(0, 0.004, n + 1)) * close
        return Candles(t.copy(), open_, np.maximum(open_, close) + spread,
                       np.minimum(open_, close) - spread, close, rng.uniform(1, 100, n + 1))

    a, b = walk(30_000.0), walk(2_000.0)
    model = PairModel(("A", "B"), "1h")
    model.load(a[:n], b[:n])
    model.detect()
    model.show_structure(True)
    series = Series(t[::8].copy(), rng.normal(0, 1e-4, len(t[::8])))
    model.set_derivatives("A", Derivatives(funding=series, open_interest=series, account_ratio=series,
                                           top_account_ratio=series, top_position_ratio=series))
    model.append("A", a[n:])
    model.append("B", b[n:])
    resample(a, "4h")


def main() -> None:
    if hasattr(os, "nice"):
        os.nice(10)  # the window's process comes first
    use_user_cache()
    marker = _marker()
    _warm()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
