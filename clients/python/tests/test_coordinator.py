"""Seed 003's coordinator (FastAPI) end to end: keys from its .env imported, each role on its routes."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

from checks import http, assert_looked_up, assert_problem, assert_unauthenticated
from keyward_server import KEYWARD, NODE, KeywardServer
from serving import ROOT, load_example, serve_asgi

ENV_FILE = (ROOT / "examples/python-coordinator/.env.example").read_text()
CLIENT, MINER, ADMIN = "client_dev_key_1_valid", "miner_dev_key_1_valid", "admin_dev_key_1_valid"


@pytest.fixture(scope="module")
def coordinator(keyward: KeywardServer) -> Iterator[str]:
    with tempfile.TemporaryDirectory() as directory:
        env_file = Path(directory) / ".env"
        env_file.write_text(ENV_FILE)
        imported = subprocess.run(
            [NODE, KEYWARD, "tokens", "import", "--from-env-file", str(env_file),
             "--create-roles", "CLIENT=client:jobs:create,jobs:read",
             "--create-roles", "MINER=miner:work:read",
             "--create-roles", "ADMIN=admin:admin:read,jobs:read,work:read", "--json"],
            capture_output=True, text=True,
            env={**os.environ, "KEYWARD_URL": keyward.url, "KEYWARD_TOKEN": keyward.admin_token},
        )
        assert imported.returncode == 0, imported.stdout + imported.stderr
    provider_token = keyward.token("coordinator", ["tokens:verify", "errors:write"])["token"]
    module = load_example(
        "examples/python-coordinator/coordinator.py",
        {"KEYWARD_URL": keyward.url, "KEYWARD_PROVIDER_TOKEN": provider_token},
    )
    with serve_asgi(module.app) as url:
        yield url


def test_no_key_is_401(coordinator: str) -> None:
    assert_unauthenticated(http.post(f"{coordinator}/v1/jobs", json={"prompt": "hi"}))


def test_each_role_is_admitted_on_its_own_routes(coordinator: str) -> None:
    job = http.post(f"{coordinator}/v1/jobs", json={"prompt": "What is AITBC?"}, headers={"X-Api-Key": CLIENT})
    assert job.status_code == 201, job.text
    assert job.json()["client"].startswith("tok_")
    work = http.get(f"{coordinator}/v1/miners/work", headers={"X-Api-Key": MINER})
    assert work.status_code == 200 and work.json()["job"]["id"] == job.json()["id"]
    stats = http.get(f"{coordinator}/v1/admin/stats", headers={"X-Api-Key": ADMIN})
    assert stats.status_code == 200 and stats.json()["jobs"] >= 1


def test_a_client_key_is_403_on_the_admin_route_with_an_error_id_it_can_look_up(
    coordinator: str, keyward: KeywardServer
) -> None:
    answer = http.get(f"{coordinator}/v1/admin/stats", headers={"X-Api-Key": CLIENT})
    body = assert_problem(answer, 403, "INSUFFICIENT_SCOPE")
    assert 'error="insufficient_scope"' in answer.headers["www-authenticate"]
    assert_looked_up(keyward, body["error_id"], CLIENT, code="INSUFFICIENT_SCOPE")


def test_a_raised_exception_is_500_with_an_error_id_the_caller_looks_up(
    coordinator: str, keyward: KeywardServer
) -> None:
    os.environ["COORDINATOR_FAIL_STATS"] = "1"
    try:
        answer = http.get(f"{coordinator}/v1/admin/stats", headers={"X-Api-Key": ADMIN})
    finally:
        os.environ.pop("COORDINATOR_FAIL_STATS")
    body = assert_problem(answer, 500, "INTERNAL")
    assert "unreachable" not in answer.text  # the exception's message stays in the provider
    deadline = time.monotonic() + 10
    while keyward.call("GET", f"/v1/errors/{body['error_id']}", ADMIN)[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert_looked_up(keyward, body["error_id"], ADMIN, code="INTERNAL")
