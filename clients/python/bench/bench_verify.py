"""Micro-benchmark: a cached in-process verification against a plain dict lookup, in µs of CPU time
(process time, so a busy machine does not inflate it).

    python3 clients/python/bench/bench_verify.py      (starts its own Keyward)
"""

from __future__ import annotations

import hashlib
import sys
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE.parent / "tests"))

from keyward import Admitted, Guard  # noqa: E402
from keyward_server import start_keyward  # noqa: E402

N = 200_000


def main() -> None:
    server = start_keyward()
    try:
        provider = server.token("bench provider", ["tokens:verify"])["token"]
        caller = server.token("bench caller", ["instances:read"], rate_limits=[{"limit": 100_000_000, "window_seconds": 3600}])
        guard = Guard(server.url, verify_token=provider, max_lease=10_000)
        assert guard.wait_until_cached()
        headers = {"authorization": f"Bearer {caller['token']}"}
        assert isinstance(guard.authenticate(headers, ["instances:read"]), Admitted)
        calls = guard.calls
        cached = min(timeit.repeat(lambda: guard.authenticate(headers, ["instances:read"]), number=N, repeat=3, timer=time.process_time)) / N
        calls = guard.calls - calls
        table = {hashlib.sha256(caller["token"].encode()).hexdigest(): caller["id"]}
        token = caller["token"]
        plain = min(timeit.repeat(lambda: table.get(hashlib.sha256(token.encode()).hexdigest()), number=N, repeat=3, timer=time.process_time)) / N
        bare = min(timeit.repeat(lambda: table.get("x"), number=N, repeat=3, timer=time.process_time)) / N
        print(f"| cached Guard.authenticate (scope check, lease unit, usage count) | {cached * 1e6:.2f} µs |")
        print(f"| sha256 + dict.get                                             | {plain * 1e6:.2f} µs |")
        print(f"| dict.get                                                      | {bare * 1e6:.2f} µs |")
        print(f"ratio cached/sha256+dict: {cached / plain:.2f}×; network calls during {3 * N:,} cached requests: {calls}")
        guard.close()
    finally:
        server.stop()


main()
