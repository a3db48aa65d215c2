from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from keyward_server import KeywardServer, start_keyward  # noqa: E402


@pytest.fixture(scope="session")
def keyward() -> Iterator[KeywardServer]:
    server = start_keyward()
    yield server
    server.stop()
