"""The cached mode: admitted tokens answered in-process, dropped the moment Keyward changes them."""

from __future__ import annotations

import time

import pytest

from keyward import Admitted, Guard, Answer
from keyward_server import KeywardServer


@pytest.fixture()
def guard(keyward: KeywardServer):
    verify_token = keyward.token("provider", ["tokens:verify", "errors:write"])["token"]
    guard = Guard(keyward.url, verify_token=verify_token, usage_interval=0.2)
    assert guard.wait_until_cached()
    yield guard
    guard.close()


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_a_cached_token_costs_no_network_call(guard: Guard, keyward: KeywardServer) -> None:
    created = keyward.token("cached", ["instances:read"], rate_limits=[{"limit": 1_000_000, "window_seconds": 60}])
    first = guard.authenticate(bearer(created["token"]), ["instances:read"])
    assert isinstance(first, Admitted) and first.principal.token_id == created["id"]
    calls = guard.calls
    admitted = 0
    for _ in range(10_000):
        admitted += isinstance(guard.authenticate(bearer(created["token"]), ["instances:read"]), Admitted)
    assert admitted == 10_000
    print(f"network calls per 10,000 cached requests: {guard.calls - calls}")
    assert guard.calls - calls < 10_000 / 32  # leases, not a call per request


def test_usage_reaches_keyward_in_batches(guard: Guard, keyward: KeywardServer) -> None:
    created = keyward.token("used", ["instances:read"])
    for _ in range(25):
        assert isinstance(guard.authenticate(bearer(created["token"]), ["instances:read"], client_address="203.0.113.9"), Admitted)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        _, token = keyward.call("GET", f"/v1/tokens/{created['id']}", keyward.admin_token)
        if token["usage"]["admitted"] >= 25:
            break
        time.sleep(0.1)
    assert token["usage"]["admitted"] == 25
    assert token["last_used_at"] is not None


def test_a_scope_refusal_of_a_cached_token_is_keywards_answer(guard: Guard, keyward: KeywardServer) -> None:
    created = keyward.token("narrow", ["instances:read"])
    assert isinstance(guard.authenticate(bearer(created["token"]), ["instances:read"]), Admitted)
    refused = guard.authenticate(bearer(created["token"]), ["instances:write"])
    assert isinstance(refused, Answer) and refused.status == 403
    assert refused.header("x-keyward-error-id", ).startswith("err_")


def test_revocation_reaches_the_cache_at_once(guard: Guard, keyward: KeywardServer) -> None:
    worst = 0.0
    for n in range(20):
        created = keyward.token(f"revoked {n}", ["instances:read"])
        assert isinstance(guard.authenticate(bearer(created["token"]), ["instances:read"]), Admitted)
        status, _ = keyward.call("POST", f"/v1/tokens/{created['id']}/revoke", keyward.admin_token, {})
        assert status == 200
        acknowledged = time.monotonic()
        while True:
            started = time.monotonic()
            decision = guard.authenticate(bearer(created["token"]), ["instances:read"])
            if isinstance(decision, Answer):
                assert decision.status == 401
                break
            worst = max(worst, started - acknowledged)
    print(f"revoke → refused by the cached Python guard: largest delay {worst * 1000:.1f} ms over 20")
    assert worst < 0.1
