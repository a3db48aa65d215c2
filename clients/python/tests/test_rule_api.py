"""Seed 000's rule API (Flask) end to end: protected routes, errors whose ids callers look up."""

from __future__ import annotations

import time
from typing import Iterator

import pytest

from checks import http, assert_looked_up, assert_problem, assert_unauthenticated
from keyward_server import KeywardServer
from serving import load_example, serve_wsgi


@pytest.fixture(scope="module")
def rule_api(keyward: KeywardServer) -> Iterator[str]:
    provider_token = keyward.token("rule api", ["tokens:verify", "errors:write"])["token"]
    module = load_example(
        "examples/python-rule-api/rule_api_server.py",
        {"KEYWARD_URL": keyward.url, "KEYWARD_PROVIDER_TOKEN": provider_token},
    )
    with serve_wsgi(module.app) as url:
        yield url


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_public_route_needs_no_token(rule_api: str) -> None:
    assert http.get(f"{rule_api}/health").json() == {"status": "ok"}


def test_no_token_is_401_and_a_read_token_reads(rule_api: str, keyward: KeywardServer) -> None:
    assert_unauthenticated(http.get(f"{rule_api}/rules"))
    reader = keyward.token("reader", ["rules:read"])
    answer = http.get(f"{rule_api}/rules", headers=bearer(reader["token"]))
    assert answer.status_code == 200
    assert answer.json()["caller"] == reader["id"]


def test_a_read_token_cannot_write_and_looks_up_the_refusal(rule_api: str, keyward: KeywardServer) -> None:
    reader = keyward.token("reader", ["rules:read"])["token"]
    answer = http.post(f"{rule_api}/rules", json={"pattern": "x"}, headers=bearer(reader))
    body = assert_problem(answer, 403, "INSUFFICIENT_SCOPE")
    assert_looked_up(keyward, body["error_id"], reader, code="INSUFFICIENT_SCOPE")


def test_revoked_at_keyward_is_refused_by_the_provider(rule_api: str, keyward: KeywardServer) -> None:
    # The delay is how long after the acknowledgement the provider still admitted the token: the
    # start of the first refused request (0 when the first request after the ack is refused).
    delays = []
    for n in range(20):
        created = keyward.token(f"revoked {n}", ["rules:read"])
        assert http.get(f"{rule_api}/rules", headers=bearer(created["token"])).status_code == 200
        status, _ = keyward.call("POST", f"/v1/tokens/{created['id']}/revoke", keyward.admin_token, {})
        assert status == 200
        acknowledged = time.monotonic()
        admitted_after = 0
        while True:
            started = time.monotonic()
            answer = http.get(f"{rule_api}/rules", headers=bearer(created["token"]))
            if answer.status_code == 401:
                assert answer.json()["code"] == "TOKEN_REVOKED"
                break
            assert answer.status_code == 200, answer.text
            admitted_after += 1
            assert started - acknowledged < 5, "still admitted 5 s after the revoke"
        delays.append(0.0 if admitted_after == 0 else started - acknowledged)
    delays.sort()
    print(f"revoke → refused by the Flask provider: largest delay {delays[-1] * 1000:.1f} ms over {len(delays)}")
    assert delays[-1] < 0.1


def test_429_at_the_limit_with_retry_after(rule_api: str, keyward: KeywardServer) -> None:
    limited = keyward.token("limited", ["rules:read"], rate_limits=[{"limit": 3, "window_seconds": 60}])["token"]
    statuses = [http.get(f"{rule_api}/rules", headers=bearer(limited)).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = http.get(f"{rule_api}/rules", headers=bearer(limited))
    assert_problem(refused, 429, "RATE_LIMITED")
    assert int(refused.headers["retry-after"]) >= 1
    admitted = keyward.token("limited 2", ["rules:read"], rate_limits=[{"limit": 3, "window_seconds": 60}])["token"]
    first = http.get(f"{rule_api}/rules", headers=bearer(admitted))
    assert first.headers["ratelimit-policy"] == '"token-60s";q=3;w=60'
    assert first.headers["ratelimit"].startswith('"token-60s";r=2;')


def test_a_raised_exception_is_500_with_an_error_id_the_caller_looks_up(rule_api: str, keyward: KeywardServer) -> None:
    writer = keyward.token("writer", ["rules:read", "rules:write"])["token"]
    created = http.post(f"{rule_api}/rules", json={"pattern": "ai-ide", "weight": 0}, headers=bearer(writer))
    assert created.status_code == 201
    answer = http.get(f"{rule_api}/rules/{created.json()['id']}/score", headers=bearer(writer))
    body = assert_problem(answer, 500, "INTERNAL")
    assert "division" not in answer.text
    deadline = time.monotonic() + 10
    while keyward.call("GET", f"/admin/errors/{body['error_id']}", writer)[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert_looked_up(keyward, body["error_id"], writer, code="INTERNAL")
