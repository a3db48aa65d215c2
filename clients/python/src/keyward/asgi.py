"""Plain ASGI middleware: every HTTP request is decided before the application sees it."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from ._middleware import GuardedApp
from .guard import Admitted
from .problems import Answer

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PRINCIPAL_KEY = "keyward_principal"


async def send_answer(send: Send, answer: Answer) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
    headers.append((b"content-length", str(len(answer.body)).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


class KeywardMiddleware(GuardedApp):
    """`app = KeywardMiddleware(app, guard, required_scopes=["jobs:read"])`.

    The principal is in `scope["state"]["keyward_principal"]` (Starlette: `request.state`). The
    client address is `scope["client"]` (the server's proxy-header setting decides it). With
    `capture`, an exception the application raises before answering becomes a 500 problem+json
    whose error id the caller can look up at Keyward with its own token.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.exempt(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
        client = scope.get("client")
        decision = await asyncio.get_running_loop().run_in_executor(
            None, self.admit, headers, client[0] if client else None
        )
        if not isinstance(decision, Admitted):
            await send_answer(send, decision)
            return
        scope.setdefault("state", {})[PRINCIPAL_KEY] = decision.principal
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in decision.headers]
        started = False

        async def send_with_limits(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_limits)
        except Exception as error:
            answer = None if started else self.captured(error, decision, scope.get("method", ""), scope.get("path", ""))
            if answer is None:
                raise
            await send_answer(send, answer)
