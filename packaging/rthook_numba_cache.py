"""Bundle runtime hook, run before smtdesk is imported: numba keeps its compiled kernels in
the user's cache folder. Beside the package is the bundle's own folder, which may be
read-only (installed system-wide) and is replaced by the next build; a value the user set
is kept."""

import os
import sys
from pathlib import Path


def _user_cache() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


os.environ.setdefault("NUMBA_CACHE_DIR", str(_user_cache() / "smtdesk" / "numba"))
