"""IP allowlists in the cached guard: a restricted token is refused from another address on first
use and once cached, admitted from an allowed one; the token's metadata reaches the handler."""

from __future__ import annotations

import json
import time
from typing import Any, Iterable, Iterator

import pytest
from fastapi import Depends, FastAPI
from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix

from checks import assert_problem, http
from keyward import Admitted, Answer, Guard, Principal
from keyward.asgi import KeywardMiddleware
from keyward.cache import cache_key
from keyward.fastapi import KeywardFastAPI
from keyward.flask import KeywardFlask
from keyward.wsgi import KeywardWSGIMiddleware
from keyward_server import KeywardServer
from serving import serve_asgi, serve_wsgi

OUTSIDE, INSIDE = "203.0.113.7", "10.1.2.3"
METADATA = {"tier": "gold", "customer": {"id": 42}}


@pytest.fixture()
def guard(keyward: KeywardServer) -> Iterator[Guard]:
    verify_token = keyward.token("allowlist provider", ["tokens:verify", "errors:write"])["token"]
    guard = Guard(keyward.url, verify_token=verify_token, usage_interval=0.2)
    assert guard.wait_until_cached()
    yield guard
    guard.close()


def restricted(keyward: KeywardServer, allowed: list[str]) -> dict[str, Any]:
    return keyward.token("restricted", ["instances:read"], allowed_ips=allowed, metadata=METADATA)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def assert_not_allowed(decision: Any) -> None:
    assert isinstance(decision, Answer) and decision.status == 403
    assert json.loads(decision.body)["code"] == "IP_NOT_ALLOWED"
    assert (decision.header("x-keyward-error-id") or "").startswith("err_")


def test_the_guard_refuses_outside_the_allowlist_first_and_once_cached(guard: Guard, keyward: KeywardServer) -> None:
    created = restricted(keyward, ["10.0.0.0/8", "2001:db8::/32"])
    assert_not_allowed(guard.authenticate(bearer(created["token"]), ["instances:read"], client_address=OUTSIDE))
    admitted = guard.authenticate(bearer(created["token"]), ["instances:read"], client_address=INSIDE)
    assert isinstance(admitted, Admitted) and admitted.principal.token_id == created["id"]
    assert admitted.principal.metadata == METADATA
    assert guard.cache.get(cache_key(created["token"])) is not None
    for address in (OUTSIDE, "2001:db9::5", None):
        assert_not_allowed(guard.authenticate(bearer(created["token"]), ["instances:read"], client_address=address))
    for address in ("::ffff:10.9.9.9", "2001:db8:1::5"):
        assert isinstance(guard.authenticate(bearer(created["token"]), ["instances:read"], client_address=address), Admitted)


def test_a_token_without_an_allowlist_is_admitted_from_anywhere(guard: Guard, keyward: KeywardServer) -> None:
    created = keyward.token("anywhere", ["instances:read"])
    for address in (OUTSIDE, INSIDE, None):
        decision = guard.authenticate(bearer(created["token"]), ["instances:read"], client_address=address)
        assert isinstance(decision, Admitted) and decision.principal.metadata == {}


def caller(principal: Principal) -> bytes:
    return json.dumps({"token_id": principal.token_id, "metadata": principal.metadata}).encode()


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": caller(scope["state"]["keyward_principal"])})


def wsgi_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("content-type", "application/json")])
    return [caller(environ["keyward.principal"])]


def fastapi_app(guard: Guard) -> FastAPI:
    app = FastAPI()
    keyward = KeywardFastAPI(guard)
    keyward.install(app)

    @app.get("/instances")
    def instances(principal: Principal = Depends(keyward.require("instances:read"))) -> dict[str, Any]:
        return {"token_id": principal.token_id, "metadata": principal.metadata}

    return app


def flask_app(guard: Guard) -> Any:
    app = Flask(__name__)
    keyward = KeywardFlask(app, guard)

    @app.get("/instances")
    @keyward.require("instances:read")
    def instances() -> dict[str, Any]:
        return {"token_id": g.keyward_principal.token_id, "metadata": g.keyward_principal.metadata}

    # The proxy in front of the app is this machine: its X-Forwarded-For names the caller.
    app.wsgi_app = ProxyFix(app.wsgi_app)  # type: ignore[method-assign]
    return app


# uvicorn trusts X-Forwarded-For from 127.0.0.1 by default; the WSGI apps through ProxyFix.
SERVED = {
    "asgi": lambda guard: serve_asgi(KeywardMiddleware(asgi_app, guard, required_scopes=["instances:read"])),
    "wsgi": lambda guard: serve_wsgi(ProxyFix(KeywardWSGIMiddleware(wsgi_app, guard, required_scopes=["instances:read"]))),
    "fastapi": lambda guard: serve_asgi(fastapi_app(guard)),
    "flask": lambda guard: serve_wsgi(flask_app(guard)),
}


@pytest.mark.parametrize("kind", SERVED)
def test_integrations_pass_the_client_address_and_the_metadata(kind: str, guard: Guard, keyward: KeywardServer) -> None:
    created = restricted(keyward, ["10.0.0.0/8"])
    token = created["token"]

    def get(forwarded_for: str) -> Any:
        return http.get(f"{url}/instances", headers={**bearer(token), "x-forwarded-for": forwarded_for})

    with SERVED[kind](guard) as url:
        first = assert_problem(get(OUTSIDE), 403, "IP_NOT_ALLOWED")
        admitted = get(INSIDE)
        assert admitted.status_code == 200, admitted.text
        assert admitted.json() == {"token_id": created["id"], "metadata": METADATA}
        assert guard.cache.get(cache_key(token)) is not None
        assert_problem(get(OUTSIDE), 403, "IP_NOT_ALLOWED")
        assert get(INSIDE).status_code == 200
    # Keyward's own refusal: its record is there, under the token (written just after the answer).
    deadline = time.monotonic() + 10
    while (found := keyward.call("GET", f"/admin/errors/{first['error_id']}", keyward.admin_token))[0] != 200:
        assert time.monotonic() < deadline, found
        time.sleep(0.05)
    assert found[1]["code"] == "IP_NOT_ALLOWED" and found[1]["token_id"] == created["id"]
