"""The client's address: the peer, or the address a trusted reverse proxy forwarded.

`X-Forwarded-For` is believed only when the peer (REMOTE_ADDR) is one of `ONEWINDOW_TRUSTED_PROXIES`
(comma-separated addresses or networks, e.g. `127.0.0.1,10.0.0.0/8`); then the address is the
right-most one in the header that is not itself a trusted proxy. Anything else would let a client
pick its own address, and with it its own throttle bucket.
"""

import functools
import ipaddress

from django.conf import settings


@functools.cache
def _trusted(spec: str) -> tuple:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in spec.split(",") if p.strip())


def _is_trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request) -> str:
    peer = request.META.get("REMOTE_ADDR") or "unknown"
    networks = _trusted(getattr(settings, "ONEWINDOW_TRUSTED_PROXIES", "") or "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not networks or not forwarded or not _is_trusted(peer, networks):
        return peer
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed header from the proxy's client: fall back to the proxy
    return peer
