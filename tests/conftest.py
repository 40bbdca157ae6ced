import os
from pathlib import Path

import pytest

# Every GUI test runs headless; set before Qt is imported anywhere.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture
def shared_data() -> Path:
    """The recorded market data set kept beside the repository, when present."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"recorded market data not present at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
