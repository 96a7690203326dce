"""Where tools may connect: host allow-lists, and the platform's address policy for tools.

A tenant's agent chooses URLs, so every outbound connection a tool makes goes through
:class:`PinnedTransport`, which applies :mod:`luna.security.network_policy` (public
addresses only, unless the operator allows private networks; never a cloud metadata
endpoint; the checked address is the one connected to) and reports a refusal as
:class:`~luna.tools.errors.DestinationRefused`. ``http_fetch`` also keeps each hop to the
workspace's allow-list of hosts (:func:`host_allowed`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Final

import httpx2

from luna.security import network_policy
from luna.security.network_policy import (
    CLOUD_METADATA,
    DEFAULT_PORTS,
    AddressPolicy,
    AddressRefused,
    IPAddress,
    is_public,
    normalise_host,
    resolve,
)
from luna.tools.errors import DestinationRefused

__all__ = [
    "CLOUD_METADATA",
    "DEFAULT_PORTS",
    "HOST_PATTERN_HELP",
    "IPAddress",
    "PinnedTransport",
    "check_address",
    "host_allowed",
    "is_public",
    "normalise_host",
    "normalise_host_pattern",
    "resolve",
]

HOST_PATTERN_HELP: Final = (
    "a host name (docs.example.com), an IP address (203.0.113.7), "
    "or *. and a domain for its subdomains (*.example.com)"
)
SETTING: Final = "LUNA_TOOLS_ALLOW_PRIVATE_NETWORKS"


def normalise_host_pattern(text: str) -> str:
    """An allow-list entry in canonical form: a host, or ``*.`` and a domain of at least
    two labels (``*.example.com``, not ``*.com``); ValueError otherwise."""
    if not text.startswith("*."):
        return normalise_host(text)
    domain = normalise_host(text[2:])
    if "." not in domain or _is_address(domain):
        raise ValueError(f"{text!r}: a wildcard needs a domain such as *.example.com")
    return f"*.{domain}"


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    """Whether a (normalised) host matches an allow-list: an exact entry, or a
    ``*.domain`` entry of which it is a subdomain."""
    for pattern in patterns:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and not _is_address(host):
                return True
        elif host == pattern:
            return True
    return False


class ToolAddressPolicy(AddressPolicy):
    """The address policy of tools. Its public-address rule and DNS are this module's
    names, looked up when used, so that tests can stand in for a resolver and for a
    public server."""

    def __init__(self, *, allow_private_networks: bool) -> None:
        super().__init__(
            allow_private_networks=allow_private_networks, subject="tools", setting=SETTING
        )

    def is_public(self, address: IPAddress) -> bool:
        """Whether ``address`` counts as public for tools."""
        return is_public(address)

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """The addresses of ``host``."""
        return await resolve(host, port)


def check_address(address: IPAddress, *, host: str, allow_private_networks: bool) -> None:
    """Refuse (DestinationRefused) an address a tool may not connect to."""
    try:
        ToolAddressPolicy(allow_private_networks=allow_private_networks).check_address(
            address, host=host
        )
    except AddressRefused as exc:
        raise DestinationRefused(exc.detail) from None


class PinnedTransport(network_policy.PinnedTransport):
    """The pinned transport of :mod:`luna.security.network_policy` under the tools'
    policy, refusing with DestinationRefused."""

    def __init__(self, *, allow_private_networks: bool) -> None:
        super().__init__(ToolAddressPolicy(allow_private_networks=allow_private_networks))

    @property
    def allow_private_networks(self) -> bool:
        """Whether the operator lets tools reach private networks."""
        return self.policy.allow_private_networks

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send ``request`` to a checked address; DestinationRefused if there is none."""
        try:
            return await super().handle_async_request(request)
        except AddressRefused as exc:
            raise DestinationRefused(exc.detail) from None


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
