"""Scope coverage exactly as Keyward's core decides it (`resource:action`, `*` wildcards)."""

from __future__ import annotations

import re
from typing import Iterable, Sequence

_PART = r"(?:\*|[a-z][a-z0-9_.-]{0,63})"
_SCOPE = re.compile(rf"^{_PART}:{_PART}$")
# Instance-wide scopes (`keyward:admin`): a `*` resource does not reach them.
RESERVED_RESOURCE = "keyward"


def is_valid_scope(scope: str) -> bool:
    return bool(_SCOPE.match(scope))


def covers(granted: str, required: str) -> bool:
    if not is_valid_scope(granted) or not is_valid_scope(required):
        return False
    g_res, g_act = granted.split(":", 1)
    r_res, r_act = required.split(":", 1)
    resource_ok = g_res == r_res or (g_res == "*" and r_res != RESERVED_RESOURCE)
    return resource_ok and (g_act == "*" or g_act == r_act)


def missing_scopes(granted: Sequence[str], required: Iterable[str]) -> list[str]:
    return [r for r in required if not any(covers(g, r) for g in granted)]
