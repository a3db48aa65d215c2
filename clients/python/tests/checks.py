"""Assertions every protected provider door must pass, whatever its framework."""

from __future__ import annotations

from typing import Any

import httpx

from keyward_server import KeywardServer

# One client for every test request: a new httpx client per call costs ~200 ms (TLS setup).
http = httpx.Client(timeout=10)


def assert_problem(answer: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["error_id"].startswith("err_"), body
    assert answer.headers["x-keyward-error-id"] == body["error_id"]
    return body


def assert_unauthenticated(answer: httpx.Response) -> None:
    assert_problem(answer, 401, "UNAUTHENTICATED")
    assert answer.headers["www-authenticate"].startswith("Bearer")


def assert_looked_up(keyward: KeywardServer, error_id: str, token: str, *, code: str) -> None:
    """The caller reads the error with its own token; another project's token cannot."""
    status, record = keyward.call("GET", f"/admin/errors/{error_id}", token)
    assert status == 200, record
    assert record["error_id"] == error_id and record["code"] == code
    foreign = keyward.other_project_token(["*:*"])
    status, _ = keyward.call("GET", f"/v1/errors/{error_id}", foreign)
    assert status == 404
