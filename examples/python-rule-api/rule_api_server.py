"""Seed 000's rule API in Flask: protected routes, and errors whose ids callers look up at Keyward.

    KEYWARD_URL=http://127.0.0.1:8080 KEYWARD_PROVIDER_TOKEN=kw_… flask --app rule_api_server run
    curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:5000/rules
    # an error answer carries error_id; then, with the same token:
    curl -H "Authorization: Bearer $TOKEN" $KEYWARD_URL/admin/errors/err_…
"""

from __future__ import annotations

import os
import threading

from flask import Flask, abort, g, request

from keyward import ErrorCapture, Guard
from keyward.flask import KeywardFlask

KEYWARD_URL = os.environ.get("KEYWARD_URL", "http://127.0.0.1:8080")
# A token holding tokens:verify (in-process cache) and errors:write (error ids); optional.
PROVIDER_TOKEN = os.environ.get("KEYWARD_PROVIDER_TOKEN")

app = Flask(__name__)
keyward = KeywardFlask(
    app,
    Guard(KEYWARD_URL, verify_token=PROVIDER_TOKEN),
    capture=ErrorCapture(KEYWARD_URL, PROVIDER_TOKEN) if PROVIDER_TOKEN else None,
)

_rules: dict[int, dict[str, object]] = {}
_lock = threading.Lock()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/rules")
@keyward.require("rules:read")
def list_rules() -> dict[str, object]:
    with _lock:
        return {"rules": list(_rules.values()), "caller": g.keyward_principal.token_id}


@app.post("/rules")
@keyward.require("rules:write")
def create_rule() -> tuple[dict[str, object], int]:
    body = request.get_json(silent=True) or {}
    if not isinstance(body.get("pattern"), str):
        abort(400)
    with _lock:
        rule_id = len(_rules) + 1
        _rules[rule_id] = {"id": rule_id, "pattern": body["pattern"], "weight": body.get("weight", 1)}
    return _rules[rule_id], 201


@app.get("/rules/<int:rule_id>/score")
@keyward.require("rules:read")
def score(rule_id: int) -> dict[str, object]:
    with _lock:
        rule = _rules.get(rule_id)
    if rule is None:
        abort(404)
    total = sum(int(r["weight"]) for r in _rules.values())  # type: ignore[call-overload]
    # A rule with weight 0 in a zero-total set is the bug seed 000's error log is for.
    return {"id": rule_id, "share": int(rule["weight"]) / total}  # type: ignore[call-overload]
