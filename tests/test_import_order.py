"""The start-up's import order."""

import subprocess
import sys


def test_the_app_imports_the_analysis_before_qt():
    # PySide6 reads the source of every module imported after it: numba's are many
    code = ("import sys; import smtdesk.app; mods = list(sys.modules); "
            "print(mods.index('smtdesk.core.pair_model') < mods.index('PySide6.QtCore'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
