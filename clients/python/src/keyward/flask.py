"""Flask: a decorator per view, or one `before_request` rule for the whole app.

    keyward = KeywardFlask(app, Guard(KEYWARD_URL), capture=ErrorCapture(KEYWARD_URL, ERRORS_TOKEN))

    @app.get("/rules")
    @keyward.require("rules:read")
    def rules(): return {"caller": g.keyward_principal.token_id}
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from .capture import ErrorCapture
from .guard import Admitted, Guard
from .problems import Answer

F = TypeVar("F", bound=Callable[..., Any])


def to_response(answer: Answer) -> Response:
    response = Response(answer.body, status=answer.status)
    response.headers.clear()
    for name, value in answer.headers:
        response.headers.add(name, value)
    return response


class KeywardFlask:
    def __init__(self, app: Flask | None, guard: Guard, *, capture: ErrorCapture | None = None) -> None:
        self.guard = guard
        self.capture = capture
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        @app.after_request
        def rate_limit_headers(response: Response) -> Response:
            for name, value in g.get("keyward_headers", ()):
                response.headers.add(name, value)
            return response

        capture = self.capture
        if capture is None:
            return

        @app.errorhandler(Exception)
        def internal(error: Exception) -> Any:
            if isinstance(error, HTTPException):
                return error
            answer = capture.internal_error(error, g.get("keyward_principal"), request.method, request.path)
            return to_response(answer)

    def check(self, *scopes: str) -> Response | None:
        """Decides the current request: None when admitted (principal in `g`), else the refusal."""
        decision = self.guard.authenticate(request.headers.items(), scopes, client_address=request.remote_addr)
        if not isinstance(decision, Admitted):
            return to_response(decision)
        g.keyward_principal = decision.principal
        g.keyward_headers = decision.headers
        return None

    def require(self, *scopes: str) -> Callable[[F], F]:
        def decorate(view: F) -> F:
            @functools.wraps(view)
            def guarded(*args: Any, **kwargs: Any) -> Any:
                refused = self.check(*scopes)
                return refused if refused is not None else view(*args, **kwargs)

            return guarded  # type: ignore[return-value]

        return decorate

    def protect_all(self, app: Flask, scopes_for: Callable[[str | None], tuple[str, ...] | None]) -> None:
        """A `before_request` rule: `scopes_for(endpoint)` gives the scopes, or None for a public endpoint."""

        @app.before_request
        def guard_request() -> Response | None:
            scopes = scopes_for(request.endpoint)
            return None if scopes is None else self.check(*scopes)
