"""Limits stay exact across provider processes and Keyward's gateway door sharing one token."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from checks import http
from keyward_server import NODE, KeywardServer

HERE = Path(__file__).resolve().parent
WORKER = HERE / "limit_worker.py"
NODE_WORKER = HERE / "node_limit_worker.mjs"


def test_python_processes_a_node_sdk_process_and_the_gateway_door_admit_at_most_the_limit(keyward: KeywardServer) -> None:
    provider = keyward.token("limit provider", ["tokens:verify"])["token"]
    caller = keyward.token("shared caller", ["instances:read"], rate_limits=[{"limit": 100, "window_seconds": 60}])
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), keyward.url, provider, caller["token"], "400"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ] + [
        subprocess.Popen(
            [NODE, str(NODE_WORKER), keyward.url, provider, caller["token"], "200"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
    ]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()

    def door(_: int) -> int:
        return http.get(f"{keyward.url}/v1/authorize", headers={"Authorization": f"Bearer {caller['token']}"}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(door, range(200)))
    assert set(statuses) <= {200, 429}
    admitted = statuses.count(200)
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, out
        admitted += int(out.strip().rsplit(" ", 1)[1])
    print(f"1,200 requests against 100/min over 2 Python processes, 1 Node SDK process and the gateway door: {admitted} admitted")
    assert 95 <= admitted <= 100
