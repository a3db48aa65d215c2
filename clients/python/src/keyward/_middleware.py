"""What the plain ASGI and WSGI middlewares share: their settings and the admit+capture steps.

Only the calls into the application differ (awaited or not): each middleware runs `admit`, hands
the admitted principal and headers to its application, and answers `captured` for what it raises.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from .capture import ErrorCapture
from .guard import Admitted, Decision, Guard
from .problems import Answer


class GuardedApp:
    def __init__(
        self,
        app: Any,
        guard: Guard,
        *,
        required_scopes: Sequence[str] = (),
        exempt: Callable[[str], bool] = lambda path: False,
        capture: ErrorCapture | None = None,
    ) -> None:
        self.app = app
        self.guard = guard
        self.required_scopes = tuple(required_scopes)
        self.exempt = exempt
        self.capture = capture

    def admit(self, headers: Iterable[tuple[str, str]], client_address: str | None) -> Decision:
        """The request's decision: Keyward's refusal, or who called and the headers for the answer."""
        return self.guard.authenticate(headers, self.required_scopes, client_address=client_address)

    def captured(self, error: Exception, admitted: Admitted, method: str, path: str) -> Answer | None:
        """The 500 answer, error id included, for an exception the application raised before
        answering; None without a capture (the exception goes on up)."""
        if self.capture is None:
            return None
        return self.capture.internal_error(error, admitted.principal, method, path)
