"""Shared pytest fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared data folder (``../shared`` next to the project, or ``$HEALTHSEARCH_SHARED``)."""
    override = os.environ.get("HEALTHSEARCH_SHARED")
    path = Path(override) if override else Path(__file__).resolve().parents[1].parent / "shared"
    if not path.is_dir():
        pytest.skip(f"shared data folder not found: {path}")
    return path
