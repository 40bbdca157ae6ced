"""The shape of the code: core stays pure, data never imports widgets, settings and
logging setup need no Qt (pyproject.toml's contracts), and the app reaches all of it."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=REPO, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken" in result.stdout


def test_core_imports_without_qt():
    code = (
        "import sys, smtdesk.core.analysis, smtdesk.core.candles, smtdesk.core.structure.swings;"
        "bad = [m for m in ('PySide6', 'pyqtgraph', 'ccxt') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_the_app_reaches_all_of_its_code():
    """Code nothing in smtdesk calls is wired in or deleted; .ci/vulture_allow.py names
    what frameworks call and what is read by name, each with its reason."""
    vulture = Path(sys.executable).with_name("vulture")
    result = subprocess.run(
        [str(vulture), "smtdesk", str(REPO / ".ci" / "vulture_allow.py"), "--min-confidence", "60"],
        cwd=REPO, capture_output=True, text=True,
    )
    assert result.returncode == 0, "unreached code:\n" + result.stdout + result.stderr
