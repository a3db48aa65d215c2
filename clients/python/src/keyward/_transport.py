"""HTTP/1.1 with keep-alive over the standard library: one connection per thread and origin."""

from __future__ import annotations

import http.client
import json
import threading
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit

from .errors import KeywardUnavailable


@dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        lower = name.lower()
        for key, value in self.headers:
            if key.lower() == lower:
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Transport:
    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = kind(self._host, self._port, timeout=self._timeout)
            self._local.connection = connection
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> Response:
        # A kept-alive connection the server closed fails on first use: one retry on a new one.
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.request(method, self._prefix + path, body=body, headers=dict(headers or {}))
                answer = connection.getresponse()
                data = answer.read()
                if answer.will_close:
                    self._drop()
                return Response(answer.status, answer.getheaders(), data)
            except (ConnectionError, http.client.HTTPException, OSError) as error:
                self._drop()
                if attempt == 2 or not _retryable(error):
                    raise KeywardUnavailable(f"Keyward is unreachable: {error}") from error
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._drop()

    def json(self, method: str, path: str, token: str, payload: Any = None, **extra: str) -> Response:
        headers = {"authorization": f"Bearer {token}", "accept": "application/json", **extra}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["content-type"] = "application/json"
        return self.request(method, path, headers=headers, body=body)


def _retryable(error: BaseException) -> bool:
    return isinstance(
        error,
        (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.CannotSendRequest),
    )
