"""Keyward's gateway door (`GET /v1/authorize`) as the provider's exact, uncached decision.

The caller's token headers go there unchanged, so parsing, scopes, expiry, revocation, IP rules
and rate limits are decided in one place, and a refusal carries an error id Keyward recorded for
the caller's token: the answer is relayed as it came.
"""

from __future__ import annotations

from typing import Sequence

from ._ids import new_id
from ._transport import Transport
from .errors import KeywardUnavailable
from .principal import Principal
from .problems import Answer, problem

AUTHORIZE_PATH = "/v1/authorize"
REQUIRED_SCOPES_HEADER = "x-keyward-required-scopes"
# Keyward's answer headers that describe the transport, not the decision.
_HOP_HEADERS = {"connection", "keep-alive", "content-length", "date", "x-request-id", "transfer-encoding"}
_IDENTITY_HEADERS = {"x-keyward-token-id", "x-keyward-project-id", "x-keyward-owner", "x-keyward-scopes"}


class Admitted:
    """An admitted request: who called, and the RateLimit headers for the provider's answer."""

    __slots__ = ("principal", "headers")

    def __init__(self, principal: Principal, headers: list[tuple[str, str]] | None = None) -> None:
        self.principal = principal
        self.headers = headers if headers is not None else []


Decision = Admitted | Answer


def ask_door(
    transport: Transport, token_headers: dict[str, str], required_scopes: Sequence[str], client_address: str | None
) -> Decision:
    asked = dict(token_headers)
    if required_scopes:
        asked[REQUIRED_SCOPES_HEADER] = " ".join(required_scopes)
    if client_address:
        # Adopted by Keyward only when this process is one of its trusted proxies.
        asked["x-forwarded-for"] = client_address
    try:
        answer = transport.request("GET", AUTHORIZE_PATH, headers=asked)
    except KeywardUnavailable:
        return problem(503, "SERVER_BUSY", "The token service cannot be reached; retry shortly.", new_id("err"), retry_after=1)
    relayed = [(k, v) for k, v in answer.headers if k.lower() not in _HOP_HEADERS]
    if answer.status != 200:
        return Answer(answer.status, relayed, answer.body)
    owner_type, _, owner_id = (answer.header("x-keyward-owner") or ":").partition(":")
    principal = Principal(
        token_id=answer.header("x-keyward-token-id") or "",
        project_id=answer.header("x-keyward-project-id") or "",
        owner_type=owner_type,
        owner_id=owner_id,
        scopes=tuple((answer.header("x-keyward-scopes") or "").split()),
    )
    return Admitted(principal, [(k, v) for k, v in relayed if k.lower() not in _IDENTITY_HEADERS])
