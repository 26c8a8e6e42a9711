"""Shared fixtures: where the DfE source files are (tests on them skip when absent)."""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCE = Path(os.environ.get("SUFFICIENCY_SOURCE_DATA", REPO.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def source_dir():
    if not (SOURCE / "dfe-sen2-2025" / "caseload.csv").exists():
        pytest.skip(f"DfE source files not found at {SOURCE} (set SUFFICIENCY_SOURCE_DATA to "
                    "the shared/data folder to run the reader tests)")
    return SOURCE
