"""FastAPI / Starlette: a dependency per route and one `install` call.

    keyward = KeywardFastAPI(Guard(KEYWARD_URL), capture=ErrorCapture(KEYWARD_URL, ERRORS_TOKEN))
    keyward.install(app)

    @app.post("/v1/jobs")
    def submit(job: Job, caller: Principal = Depends(keyward.require("jobs:create"))): ...
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from .capture import ErrorCapture
from .guard import Admitted, Guard
from .principal import Principal
from .problems import Answer


class Refused(Exception):
    """Raised by the dependency; answered by the handler `install` registers, exactly as Keyward would."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def to_response(answer: Answer) -> Response:
    response = Response(content=answer.body, status_code=answer.status)
    for name, value in answer.headers:
        response.headers.append(name, value)
    return response


class KeywardFastAPI:
    def __init__(self, guard: Guard, *, capture: ErrorCapture | None = None) -> None:
        self.guard = guard
        self.capture = capture

    def require(self, *scopes: str) -> Callable[[Request, Response], Awaitable[Principal]]:
        """A dependency that admits the request (or raises `Refused`) and returns the caller."""
        guard = self.guard

        async def keyward_principal(request: Request, response: Response) -> Principal:
            address = request.client.host if request.client else None
            decision = await run_in_threadpool(guard.authenticate, request.headers.items(), scopes, client_address=address)
            if not isinstance(decision, Admitted):
                raise Refused(decision)
            for name, value in decision.headers:
                response.headers.append(name, value)
            request.state.keyward_principal = decision.principal
            return decision.principal

        return keyward_principal

    def install(self, app: FastAPI) -> None:
        async def refused(_request: Request, error: Exception) -> Response:
            assert isinstance(error, Refused)
            return to_response(error.answer)

        app.add_exception_handler(Refused, refused)
        capture = self.capture
        if capture is None:
            return

        async def internal(request: Request, error: Exception) -> Response:
            principal: Any = getattr(request.state, "keyward_principal", None)
            return to_response(capture.internal_error(error, principal, request.method, request.url.path))

        # Starlette calls the handler for Exception from its outermost middleware, for any failure.
        app.add_exception_handler(Exception, internal)
