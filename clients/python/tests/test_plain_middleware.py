"""Plain ASGI and WSGI middleware on real sockets: refused before the app, principal inside it."""

from __future__ import annotations

import json
from typing import Any, Iterable

from checks import assert_looked_up, assert_problem, assert_unauthenticated, http
from keyward import ErrorCapture, Guard
from keyward.asgi import KeywardMiddleware
from keyward.wsgi import KeywardWSGIMiddleware
from keyward_server import KeywardServer
from serving import serve_asgi, serve_wsgi


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["path"] == "/boom":
        raise RuntimeError("secret detail")
    principal = scope["state"]["keyward_principal"]
    body = json.dumps({"token_id": principal.token_id}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def wsgi_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    if environ["PATH_INFO"] == "/boom":
        raise RuntimeError("secret detail")
    body = json.dumps({"token_id": environ["keyward.principal"].token_id}).encode()
    start_response("200 OK", [("content-type", "application/json")])
    return [body]


def exercise(url: str, keyward: KeywardServer) -> None:
    assert_unauthenticated(http.get(f"{url}/instances"))
    good = keyward.token("reader", ["instances:read"])
    admitted = http.get(f"{url}/instances", headers={"X-Api-Key": good["token"]})
    assert admitted.status_code == 200 and admitted.json() == {"token_id": good["id"]}
    assert admitted.headers["ratelimit-policy"]
    narrow = keyward.token("narrow", ["jobs:read"])["token"]
    body = assert_problem(http.get(f"{url}/instances", headers={"X-Api-Key": narrow}), 403, "INSUFFICIENT_SCOPE")
    assert_looked_up(keyward, body["error_id"], narrow, code="INSUFFICIENT_SCOPE")
    failed = http.get(f"{url}/boom", headers={"Authorization": f"Bearer {good['token']}"})
    body = assert_problem(failed, 500, "INTERNAL")
    assert "secret detail" not in failed.text


def test_asgi_middleware(keyward: KeywardServer) -> None:
    provider = keyward.token("asgi provider", ["tokens:verify", "errors:write"])["token"]
    guard = Guard(keyward.url, verify_token=provider)
    capture = ErrorCapture(keyward.url, provider)
    app = KeywardMiddleware(asgi_app, guard, required_scopes=["instances:read"], capture=capture)
    with serve_asgi(app) as url:
        exercise(url, keyward)
    assert capture.flush() and capture.delivered >= 1
    guard.close()
    capture.close()


def test_wsgi_middleware(keyward: KeywardServer) -> None:
    guard = Guard(keyward.url)
    capture = ErrorCapture(keyward.url, keyward.token("wsgi errors", ["errors:write"])["token"])
    app = KeywardWSGIMiddleware(wsgi_app, guard, required_scopes=["instances:read"], capture=capture)
    with serve_wsgi(app) as url:
        exercise(url, keyward)
    assert capture.flush() and capture.delivered >= 1
    capture.close()
