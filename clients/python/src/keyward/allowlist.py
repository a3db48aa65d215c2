"""A token's IP allowlist, checked in-process as Keyward's doors check it (core's ip-allowlist)."""

from __future__ import annotations

import ipaddress
from typing import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def compile_allowlist(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """Keyward's CIDRs as networks; an empty allowlist allows every address."""
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def address_allowed(networks: tuple[Network, ...], address: str | None) -> bool:
    """Whether `address` is within the allowlist. Without an address a restricted token is not."""
    if not networks:
        return True
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    # A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)
