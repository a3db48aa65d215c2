"""Seed 003's coordinator API, with its keys checked by Keyward instead of lists in `.env`.

    keyward tokens import --from-env-file .env \
      --create-roles CLIENT=client:jobs:create,jobs:read \
      --create-roles MINER=miner:work:read \
      --create-roles ADMIN=admin:admin:read,jobs:read,work:read
    KEYWARD_URL=http://127.0.0.1:8080 uvicorn coordinator:app --port 8000
"""

from __future__ import annotations

import itertools
import os
import threading

from fastapi import Depends, FastAPI
from pydantic import BaseModel

from keyward import ErrorCapture, Guard, Principal
from keyward.fastapi import KeywardFastAPI

KEYWARD_URL = os.environ.get("KEYWARD_URL", "http://127.0.0.1:8080")
# A token holding tokens:verify (in-process cache) and errors:write (error ids); optional.
PROVIDER_TOKEN = os.environ.get("KEYWARD_PROVIDER_TOKEN")

app = FastAPI(title="coordinator")
keyward = KeywardFastAPI(
    Guard(KEYWARD_URL, verify_token=PROVIDER_TOKEN),
    capture=ErrorCapture(KEYWARD_URL, PROVIDER_TOKEN) if PROVIDER_TOKEN else None,
)
keyward.install(app)

_ids = itertools.count(1)
_jobs: dict[int, dict[str, object]] = {}
_lock = threading.Lock()


class Job(BaseModel):
    prompt: str
    model: str = "gemma3:1b"


@app.post("/v1/jobs", status_code=201)
def submit_job(job: Job, caller: Principal = Depends(keyward.require("jobs:create"))) -> dict[str, object]:
    with _lock:
        job_id = next(_ids)
        _jobs[job_id] = {"id": job_id, "prompt": job.prompt, "model": job.model, "client": caller.token_id, "state": "queued"}
    return _jobs[job_id]


@app.get("/v1/miners/work")
def next_work(caller: Principal = Depends(keyward.require("work:read"))) -> dict[str, object]:
    with _lock:
        queued = next((job for job in _jobs.values() if job["state"] == "queued"), None)
        if queued:
            queued["state"] = "assigned"
            queued["miner"] = caller.token_id
    return {"job": queued}


@app.get("/v1/admin/stats")
def stats(caller: Principal = Depends(keyward.require("admin:read"))) -> dict[str, object]:
    with _lock:
        states = [str(job["state"]) for job in _jobs.values()]
    if os.environ.get("COORDINATOR_FAIL_STATS") == "1":
        raise RuntimeError("the stats store is unreachable")
    return {"jobs": len(states), "queued": states.count("queued"), "assigned": states.count("assigned")}
