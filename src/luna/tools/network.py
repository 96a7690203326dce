"""Where tools may connect: host allow-lists and the public-address rule (SSRF defences).

A tenant's agent chooses URLs, so every outbound connection a tool makes goes through
:class:`PinnedTransport`. It resolves the host once, refuses unless every address is
public (or the operator allows private networks), then connects to an address it has
checked, sending the original ``Host`` and TLS server name. A DNS answer that changes
between the check and the connection (DNS rebinding) therefore cannot reach an internal
address. Cloud metadata endpoints are refused even where private networks are allowed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable, Sequence
from typing import Final

import httpx2

from luna.tools.errors import DestinationRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

HOST_PATTERN_HELP: Final = (
    "a host name (docs.example.com), an IP address (203.0.113.7), "
    "or *. and a domain for its subdomains (*.example.com)"
)
_LABEL: Final = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")
# Not global, yet not flagged by every Python 3.11 release's ``is_private``.
_ALSO_REFUSED: Final = (
    ipaddress.IPv4Network("100.64.0.0/10"),
    ipaddress.IPv4Network("192.0.0.0/24"),
    ipaddress.IPv6Network("fec0::/10"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("2001::/23"),
)
CLOUD_METADATA: Final = frozenset(
    ipaddress.ip_address(text)
    for text in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.170.23",
        "168.63.129.16",
        "100.100.100.200",
        "fd00:ec2::254",
    )
)
DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def normalise_host(text: str) -> str:
    """A host in canonical form: lower case, no trailing dot, IDNA (``xn--``) for
    non-ASCII names, IP addresses as Python writes them; ValueError if it is not one."""
    host = text.strip().lower().removesuffix(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{text!r} is not a host name") from None
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{text!r} is not a host name")
    return ascii_host


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


def is_public(address: IPAddress) -> bool:
    """Whether an address is a public unicast one. An IPv6 address that carries an IPv4
    one (IPv4-mapped, 6to4, NAT64, IPv4-compatible) is judged by the IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        address = ipaddress.IPv6Address(address.packed)  # without a zone (%eth0)
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public(embedded)
    special = (
        address.is_private,
        address.is_loopback,
        address.is_link_local,
        address.is_multicast,
        address.is_reserved,
        address.is_unspecified,
    )
    return (
        address.is_global
        and not any(special)
        and not any(address in network for network in _ALSO_REFUSED)
    )


def check_address(address: IPAddress, *, host: str, allow_private_networks: bool) -> None:
    """Refuse (DestinationRefused) an address a tool may not connect to."""
    plain = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    if address in CLOUD_METADATA or plain in CLOUD_METADATA:
        raise DestinationRefused(f"{host} is a cloud metadata endpoint, which tools never reach.")
    if not allow_private_networks and not is_public(address):
        where = f"{host} is" if host == str(address) else f"{host} resolves to {address},"
        raise DestinationRefused(
            f"{where} a private or reserved address; tools may only reach public addresses "
            "on this installation."
        )


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address a host name resolves to (an IP address resolves to itself)."""
    loop = asyncio.get_running_loop()
    try:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DestinationRefused(f"{host} could not be resolved ({exc.strerror}).") from None
    addresses: list[IPAddress] = []
    for *_, socket_address in found:
        address = ipaddress.ip_address(str(socket_address[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


async def checked_addresses(
    host: str, port: int, *, allow_private_networks: bool
) -> Sequence[IPAddress]:
    """The addresses of a host, each allowed by the policy; refused if any is not,
    since a resolver may hand out any of them."""
    addresses = await resolve(host, port)
    if not addresses:
        raise DestinationRefused(f"{host} has no address.")
    for address in addresses:
        check_address(address, host=host, allow_private_networks=allow_private_networks)
    return addresses


class PinnedTransport(httpx2.AsyncBaseTransport):
    """An HTTP transport that connects only to checked addresses, resolving each host
    once per request and keeping the original ``Host`` header and TLS server name."""

    def __init__(self, *, allow_private_networks: bool) -> None:
        self.allow_private_networks = allow_private_networks
        # No proxies from the environment: the connection must go to the checked address.
        self._inner = httpx2.AsyncHTTPTransport(trust_env=False)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send ``request`` to the first reachable checked address of its host."""
        scheme = request.url.scheme
        if scheme not in DEFAULT_PORTS:
            raise DestinationRefused(f"Tools connect over http and https only, not {scheme}.")
        host = request.url.raw_host.decode("ascii")
        port = request.url.port or DEFAULT_PORTS[scheme]
        addresses = await checked_addresses(
            host, port, allow_private_networks=self.allow_private_networks
        )
        extensions = dict(request.extensions)
        if scheme == "https":
            extensions["sni_hostname"] = host
        failure: Exception = DestinationRefused(f"{host} has no address.")
        for address in addresses:
            pinned = httpx2.Request(
                request.method,
                request.url.copy_with(host=str(address)),
                headers=request.headers,  # holds the original Host
                stream=request.stream,
                extensions=extensions,
            )
            try:
                return await self._inner.handle_async_request(pinned)
            except httpx2.ConnectError as exc:
                failure = exc
        raise failure

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._inner.aclose()


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    low_bits = int(address) & 0xFFFFFFFF
    if address in _NAT64:
        return ipaddress.IPv4Address(low_bits)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated ::a.b.c.d
        return ipaddress.IPv4Address(low_bits)
    return None
