"""The management client's types are generated from the served OpenAPI document: no drift."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from keyward_server import KeywardServer

PACKAGE = Path(__file__).resolve().parents[1]


def test_generated_types_match_the_served_document(keyward: KeywardServer) -> None:
    spec = importlib.util.spec_from_file_location("generate_types", PACKAGE / "scripts/generate_types.py")
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    status, document = keyward.call("GET", "/openapi.json", None)
    assert status == 200
    committed = (PACKAGE / "src/keyward/_api_types.py").read_text()
    assert generator.generate(document) == committed, (
        "the OpenAPI document changed: run python3 scripts/generate_types.py <openapi.json> > src/keyward/_api_types.py"
    )
