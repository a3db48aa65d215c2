"""A small management client for onboarding scripts: generate, list, revoke and rotate tokens.

The shapes are the TypedDicts generated from Keyward's OpenAPI document (`_api_types`).
"""

from __future__ import annotations

from typing import Any, Iterator, Unpack
from urllib.parse import quote, urlencode

from ._api_types import CreatedToken, RotatedToken, Token, TokenCreate, VerifyResult
from ._transport import Transport
from .errors import KeywardApiError


class KeywardClient:
    """`KeywardClient("http://127.0.0.1:8080", token)`: the token needs the scopes of each call."""

    def __init__(self, url: str, token: str, *, timeout: float = 10.0) -> None:
        self._transport = Transport(url, timeout=timeout)
        self._token = token

    def _call(self, method: str, path: str, payload: Any = None, *, expect: tuple[int, ...] = (200,)) -> Any:
        answer = self._transport.json(method, path, self._token, payload)
        if answer.status not in expect:
            body = answer.json() if answer.body else None
            raise KeywardApiError(answer.status, body if isinstance(body, dict) else None)
        return answer.json()

    def create_token(self, **fields: Unpack[TokenCreate]) -> CreatedToken:
        """Creates a token; its secret is in `["token"]` of the answer, once, never again."""
        return self._call("POST", "/v1/tokens", dict(fields), expect=(201,))

    def get_token(self, token_id: str) -> Token:
        return self._call("GET", f"/v1/tokens/{quote(token_id, safe='')}")

    def list_tokens(self, **filters: str | int) -> Iterator[Token]:
        """Every token matching the filters (status, owner_type, owner_id, …), page by page."""
        query: dict[str, str | int] = {"limit": 200, **filters}
        while True:
            page = self._call("GET", "/v1/tokens?" + urlencode(query))
            yield from page["data"]
            if not page.get("next_cursor"):
                return
            query["cursor"] = page["next_cursor"]

    def revoke_token(self, token_id: str, reason: str | None = None) -> Token:
        body = {"reason": reason} if reason else {}
        return self._call("POST", f"/v1/tokens/{quote(token_id, safe='')}/revoke", body)

    def rotate_token(self, token_id: str, grace_period_seconds: int = 0) -> RotatedToken:
        """A new secret for the same token (in `["token"]`); the old one works for the grace period."""
        body = {"grace_period_seconds": grace_period_seconds}
        return self._call("POST", f"/v1/tokens/{quote(token_id, safe='')}/rotate", body)

    def verify(self, token: str, required_scopes: list[str] | None = None) -> VerifyResult:
        """Keyward's verify answer for a caller's token (needs `tokens:verify`)."""
        body: dict[str, Any] = {"token": token}
        if required_scopes:
            body["required_scopes"] = required_scopes
        return self._call("POST", "/v1/verify", body)

    def close(self) -> None:
        self._transport.close()
