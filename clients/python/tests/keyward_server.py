"""A real Keyward server for the tests: `keyward init` + `keyward serve` on a free port, own data dir."""

from __future__ import annotations

import http.cookies
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keyward._transport import Transport

ROOT = Path(__file__).resolve().parents[3]
KEYWARD = os.environ.get("KEYWARD_BIN", str(ROOT / "apps/cli/bin/keyward.js"))
NODE = shutil.which("node") or "node"
EMAIL = "admin@example.test"
PASSWORD = "correct horse battery staple"


@dataclass
class KeywardServer:
    url: str
    admin_token: str
    project_id: str
    process: subprocess.Popen[str]
    data_dir: str
    log: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, token: str | None, payload: Any = None, **headers: str) -> tuple[int, Any]:
        transport = Transport(self.url)
        try:
            if token is None:
                body = json.dumps(payload).encode() if payload is not None else None
                extra = {"content-type": "application/json"} if body else {}
                answer = transport.request(method, path, headers={**extra, **headers}, body=body)
            else:
                answer = transport.json(method, path, token, payload, **headers)
            return answer.status, answer.json() if answer.body else None
        finally:
            transport.close()

    def token(self, name: str, scopes: list[str] | None = None, **fields: Any) -> dict[str, Any]:
        status, body = self.call("POST", "/v1/tokens", self.admin_token, {"name": name, **({"scopes": scopes} if scopes is not None else {}), **fields})
        assert status == 201, body
        return body

    def other_project_token(self, scopes: list[str]) -> str:
        """A token in a second project (the admin owns both), made through a console session."""
        transport = Transport(self.url)
        login = transport.request(
            "POST", "/v1/auth/login", headers={"content-type": "application/json"},
            body=json.dumps({"email": EMAIL, "password": PASSWORD}).encode(),
        )
        assert login.status == 200, login.body
        cookie = http.cookies.SimpleCookie(login.header("set-cookie") or "")
        session = "; ".join(f"{k}={v.value}" for k, v in cookie.items())
        csrf = login.json()["csrf_token"]
        status, project = self.call("POST", "/v1/projects", self.admin_token, {"name": f"other {time.time_ns()}"})
        assert status == 201, project
        status, created = self.call(
            "POST", "/v1/tokens", None, {"name": "foreign", "scopes": scopes},
            cookie=session, **{"x-csrf-token": csrf, "keyward-project": project["id"]},
        )
        assert status == 201, created
        return created["token"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(Path(self.data_dir).parent, ignore_errors=True)


def start_keyward(extra_env: dict[str, str] | None = None) -> KeywardServer:
    base = tempfile.mkdtemp(prefix="keyward-py-")
    data_dir = os.path.join(base, "data")
    env = {
        **os.environ,
        "DATABASE_URL": "",
        "KEYWARD_LOG_LEVEL": "info",
        # The providers under test run on this machine and forward their callers' addresses.
        "KEYWARD_TRUSTED_PROXIES": "127.0.0.1",
        # The tests refuse many tokens from one address on purpose; the throttle has its own tests.
        "KEYWARD_FAILED_AUTH_RATE_LIMITS": "100000/60",
        **(extra_env or {}),
    }
    init = subprocess.run(
        [NODE, KEYWARD, "init", "--data-dir", data_dir, "--json", "--email", EMAIL, "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, env=env, check=True,
    )
    created = json.loads(init.stdout)
    process = subprocess.Popen(
        [NODE, KEYWARD, "serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", data_dir],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    log: list[str] = []
    found = threading.Event()
    url: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line)
            match = re.search(r"Server listening at (http://127\.0\.0\.1:\d+)", line)
            if match and not url:
                url.append(match.group(1))
                found.set()

    threading.Thread(target=read, daemon=True).start()
    if not found.wait(60):
        process.kill()
        raise RuntimeError("keyward serve did not start:\n" + "".join(log))
    return KeywardServer(url[0], created["admin_token"], created["project_id"], process, data_dir, log)
