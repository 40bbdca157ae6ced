"""Launch to first candles on screen, and to first signals, as a new user starts smtdesk.

Each start is a fresh process (offscreen, on a new data folder): the demo market and the
default venue unreachable (a closed port on 127.0.0.1, through ``SMTDESK_EXCHANGE_URL``),
each with a cold compiled-kernel cache (a new ``NUMBA_CACHE_DIR``) and then warm (the same
one again). The reference is a bare PySide6 window's first paint in the same run. The
times come from the app log's start-up lines; the window's longest wait is the longest
it did not answer between the first candles and the first signals, while the analysis
is prepared.

    python bench/startup.py
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VARIABLE = "NUMBA_CACHE_DIR"  # where the compiled loops are kept (smtdesk.kernel_cache)
TARGET_S = 2.0
TIMEOUT_S = 180.0
LINE = re.compile(r"start-up: (first \w+ \w+) .*\(monotonic ([\d.]+)\).* at most (\d+) ms")

BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QWidget

class Window(QWidget):
    def paintEvent(self, event):
        print(time.monotonic(), flush=True)
        QApplication.instance().quit()

app = QApplication(sys.argv[:1])
w = Window()
w.resize(1200, 800)
w.show()
app.exec()
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SMTDESK_EXCHANGE_URL", VARIABLE)}
    return {**env, "QT_QPA_PLATFORM": "offscreen", **extra}


def bare_window() -> float:
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-c", BARE], env=_env(), capture_output=True,
                         text=True, timeout=TIMEOUT_S, check=True)
    return float(out.stdout.split()[0]) - start


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kernels: Path, *args: str, **env: str) -> dict[str, tuple[float, int]]:
    """Seconds from launch to each start-up line, and the window's longest wait by then."""
    with tempfile.TemporaryDirectory(prefix="smtdesk-bench-") as data:
        log = Path(data) / "logs" / "smtdesk.log"
        begin = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "smtdesk", "--data-dir", data, *args], cwd=ROOT,
            env=_env(**{VARIABLE: str(kernels)}, **env),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seen: dict[str, tuple[float, int]] = {}
        try:
            while len(seen) < 2 and time.monotonic() - begin < TIMEOUT_S:
                time.sleep(0.02)
                if proc.poll() is not None:
                    raise RuntimeError(f"smtdesk exited with {proc.returncode}")
                if log.exists():
                    for what, at, waited in LINE.findall(log.read_text(encoding="utf-8")):
                        seen[what] = (float(at) - begin, int(waited))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return seen


def main() -> None:
    # as pip installs it: compiled to bytecode once
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "smtdesk")], check=True)
    bare = bare_window()
    unreachable = {"SMTDESK_EXCHANGE_URL": f"http://127.0.0.1:{closed_port()}"}
    rows = []
    for venue, args, env in (("demo", ("--exchange", "demo"), {}),
                             ("venue unreachable", (), unreachable)):
        with tempfile.TemporaryDirectory(prefix="smtdesk-kernels-") as kernels:
            for cache in ("cold", "warm"):
                rows.append((venue, cache, start(Path(kernels), *args, **env)))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"bare PySide6 window, first paint: {bare:.2f} s  ({os.cpu_count()} cores, "
          f"load average {load:.1f} at the end)\n")
    print(f"{'start':<28}{'candles s':>10}{'x bare':>8}{'signals s':>11}{'x bare':>8}"
          f"{'longest stall ms':>18}  target")
    for venue, cache, seen in rows:
        candles, waited = seen.get("first candles painted", (float("nan"), 0))
        signals, waited = seen.get("first signals shown", (float("nan"), waited))
        verdict = "ok" if candles <= TARGET_S else "MISSED"
        print(f"{venue + ', ' + cache + ' cache':<28}{candles:>10.2f}{candles / bare:>8.1f}"
              f"{signals:>11.2f}{signals / bare:>8.1f}{waited:>18}  candles <= {TARGET_S:g} s: {verdict}")


if __name__ == "__main__":
    main()
