"""Fixtures every test may use: where the project and the shared reference material live."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The recorded material from the real systems (../shared/reference)."""
    if not REFERENCE.is_dir():
        pytest.fail(f"reference material not found at {REFERENCE}; it ships beside the repo")
    return REFERENCE
