"""One provider process for the exact-limit test: N concurrent requests through a cached Guard."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from keyward import Admitted, Guard  # noqa: E402


def main() -> None:
    url, verify_token, caller_token, requests = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    guard = Guard(url, verify_token=verify_token)
    if not guard.wait_until_cached():
        raise SystemExit("the change stream did not come up")
    print("ready", flush=True)
    sys.stdin.readline()  # start together with the other doors
    headers = {"authorization": f"Bearer {caller_token}"}
    with ThreadPoolExecutor(16) as pool:
        decisions = list(pool.map(lambda _: guard.authenticate(headers, ["instances:read"]), range(requests)))
    admitted = sum(isinstance(d, Admitted) for d in decisions)
    refused = [d.status for d in decisions if not isinstance(d, Admitted)]
    assert all(status == 429 for status in refused), refused[:5]
    guard.close()
    print(f"admitted {admitted}", flush=True)


main()
