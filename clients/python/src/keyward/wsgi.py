"""Plain WSGI middleware: every request is decided before the application sees it."""

from __future__ import annotations

import sys
from typing import Any, Callable, Iterable

from ._middleware import GuardedApp
from .guard import Admitted
from .problems import Answer

PRINCIPAL_KEY = "keyward.principal"
_REASONS = {200: "OK", 401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


def status_line(status: int) -> str:
    return f"{status} {_REASONS.get(status, 'Error')}"


def request_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    headers = [(key[5:].replace("_", "-").lower(), value) for key, value in environ.items() if key.startswith("HTTP_")]
    return headers


def write_answer(start_response: Callable[..., Any], answer: Answer, exc_info: Any = None) -> Iterable[bytes]:
    headers = [*answer.headers, ("content-length", str(len(answer.body)))]
    start_response(status_line(answer.status), headers, exc_info)
    return [answer.body]


class KeywardWSGIMiddleware(GuardedApp):
    """`app.wsgi_app = KeywardWSGIMiddleware(app.wsgi_app, guard, required_scopes=[...])`.

    The principal is in `environ["keyward.principal"]`; the client address is `REMOTE_ADDR` (behind
    a proxy, wrap this middleware in one that sets it from the proxy's headers, e.g. werkzeug's ProxyFix).
    """

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if self.exempt(path):
            return self.app(environ, start_response)
        decision = self.admit(request_headers(environ), environ.get("REMOTE_ADDR"))
        if not isinstance(decision, Admitted):
            return write_answer(start_response, decision)
        environ[PRINCIPAL_KEY] = decision.principal

        def start_with_limits(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, *decision.headers], exc_info)

        try:
            return self.app(environ, start_with_limits)
        except Exception as error:
            answer = self.captured(error, decision, environ.get("REQUEST_METHOD", ""), path)
            if answer is None:
                raise
            return write_answer(start_response, answer, sys.exc_info())
