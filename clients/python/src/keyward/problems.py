"""Answers in Keyward's problem+json shape (RFC 9457), for the errors the provider itself raises."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

PROBLEM_CONTENT_TYPE = "application/problem+json"
ERROR_TYPE_BASE = "https://keyward.dev/errors/"
ERROR_ID_HEADER = "x-keyward-error-id"
ERROR_CODE_HEADER = "x-keyward-error-code"

TITLES = {
    "INTERNAL": "Internal error",
    "SERVER_BUSY": "The server is busy; retry shortly",
}


@dataclass(frozen=True)
class Answer:
    """A complete HTTP answer: what a framework adapter writes to its response unchanged."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)


def problem(status: int, code: str, detail: str, error_id: str, *, retry_after: int | None = None) -> Answer:
    body = {
        "type": ERROR_TYPE_BASE + code.lower().replace("_", "-"),
        "title": TITLES.get(code, code.replace("_", " ").capitalize()),
        "status": status,
        "detail": detail,
        "instance": f"/v1/errors/{error_id}",
        "code": code,
        "error_id": error_id,
    }
    headers = [
        ("content-type", PROBLEM_CONTENT_TYPE),
        (ERROR_ID_HEADER, error_id),
        (ERROR_CODE_HEADER, code),
    ]
    if retry_after is not None:
        headers.append(("retry-after", str(retry_after)))
    return Answer(status, headers, json.dumps(body).encode())
