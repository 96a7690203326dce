"""Which addresses Luna's outbound connections may reach, for URLs a tenant chooses (SSRF).

Tools fetch URLs an agent picks and model providers call a base URL a workspace admin
sets; neither must become a way into the operator's own network. An
:class:`AddressPolicy` refuses (:class:`AddressRefused`) cloud metadata endpoints always,
and private, loopback, link-local and reserved addresses unless the operator allows
private networks for that kind of connection.

:class:`PinnedTransport` applies a policy to every request: it resolves the host once,
refuses unless every address is allowed, then connects to an address it has checked,
sending the original ``Host`` and TLS server name. A DNS answer that changes between the
check and the connection (DNS rebinding) therefore cannot reach an internal address, and
a redirect, being a new request, is checked again. :meth:`AddressPolicy.check_literal_host`
refuses, without DNS, what a URL's host already shows (for a 422 when the URL is saved).
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import httpx2

from luna.errors import LunaError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS: Final = {"http": 80, "https": 443}
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
# Names of metadata services, refused before any DNS (a resolver may answer anything).
CLOUD_METADATA_HOSTS: Final = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.com",
        "instance-data",
        "instance-data.ec2.internal",
    }
)


RefusalReason = Literal["cloud-metadata", "private-address", "unresolvable", "scheme"]


class AddressRefused(LunaError):
    """A connection was about to go to an address the network policy refuses: a private,
    loopback, link-local or otherwise non-public address, or a cloud metadata endpoint.
    ``reason`` and ``host`` say which, for callers that word it their own way."""

    code = "destination-refused"
    status = 422
    title = "Destination Refused"

    def __init__(self, detail: str, *, reason: RefusalReason, host: str) -> None:
        super().__init__(detail, reason=reason, host=host)
        self.reason: RefusalReason = reason
        self.host = host


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


def literal_address(host: str) -> IPAddress | None:
    """The address a host spells out, in any form a resolver accepts without DNS
    (``127.0.0.1``, ``[::1]``, ``2130706433``, ``0x7f.1``, ``0177.0.0.1``); else None."""
    text = host.strip().lower().removesuffix(".").removeprefix("[").removesuffix("]")
    try:
        return ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        pass
    try:  # the classic inet_aton forms: decimal, octal and hexadecimal parts
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        return None


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


def is_cloud_metadata(address: IPAddress) -> bool:
    """Whether an address is a cloud metadata endpoint, however it is written."""
    plain = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    return address in CLOUD_METADATA or plain in CLOUD_METADATA


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address a host name resolves to (an IP address resolves to itself)."""
    loop = asyncio.get_running_loop()
    try:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise AddressRefused(
            f"{host} could not be resolved ({exc.strerror}).", reason="unresolvable", host=host
        ) from None
    addresses: list[IPAddress] = []
    for *_, socket_address in found:
        address = ipaddress.ip_address(str(socket_address[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


@dataclass(frozen=True)
class AddressPolicy:
    """The addresses one kind of outbound connection may reach.

    ``subject`` names who connects in refusals ("tools", "model providers");
    ``setting`` is the operator's variable that allows private networks, named in them.
    """

    allow_private_networks: bool
    subject: str
    setting: str | None = None

    def is_public(self, address: IPAddress) -> bool:
        """Whether ``address`` counts as public (see :func:`is_public`)."""
        return is_public(address)

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """The addresses of ``host`` (see :func:`resolve`)."""
        return await resolve(host, port)

    def check_address(self, address: IPAddress, *, host: str) -> None:
        """Refuse (AddressRefused) an address this policy does not allow."""
        if is_cloud_metadata(address):
            raise self._metadata(host)
        if not self.allow_private_networks and not self.is_public(address):
            where = f"{host} is" if host == str(address) else f"{host} resolves to {address},"
            allowed_by = f" ({self.setting})" if self.setting else ""
            raise AddressRefused(
                f"{where} a private or reserved address; {self.subject} may only reach "
                f"public addresses on this installation{allowed_by}.",
                reason="private-address",
                host=host,
            )

    def check_host_name(self, host: str) -> None:
        """Refuse the names of cloud metadata services, before any DNS."""
        if host.lower().removesuffix(".") in CLOUD_METADATA_HOSTS:
            raise self._metadata(host)

    def _metadata(self, host: str) -> AddressRefused:
        return AddressRefused(
            f"{host} is a cloud metadata endpoint, which {self.subject} never reach.",
            reason="cloud-metadata",
            host=host,
        )

    def check_literal_host(self, host: str) -> None:
        """Refuse what a host shows without DNS: a metadata name, an address the policy
        refuses (in any spelling), or ``localhost`` where loopback is not allowed."""
        self.check_host_name(host)
        address = literal_address(host)
        if address is None and _is_localhost(host):
            address = ipaddress.IPv4Address("127.0.0.1")
        if address is not None:
            self.check_address(address, host=host)

    async def checked_addresses(self, host: str, port: int) -> Sequence[IPAddress]:
        """The addresses of a host, each allowed by the policy; refused if any is not,
        since a resolver may hand out any of them."""
        self.check_host_name(host)
        addresses = await self.resolve(host, port)
        if not addresses:
            raise AddressRefused(f"{host} has no address.", reason="unresolvable", host=host)
        for address in addresses:
            self.check_address(address, host=host)
        return addresses


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The TLS settings of every pinned transport: the system's trusted certificates,
    loaded once per process (loading them takes tens of milliseconds, and a transport is
    built for every run)."""
    return httpx2.create_ssl_context(trust_env=False)


class PinnedTransport(httpx2.AsyncBaseTransport):
    """An HTTP transport that connects only to addresses its policy allows, resolving
    each host once per request and keeping the original ``Host`` header and TLS server
    name. Every request is checked, so the redirects a client follows are too."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        # No proxies from the environment: the connection must go to the checked address.
        self._inner = httpx2.AsyncHTTPTransport(verify=_tls_context(), trust_env=False)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send ``request`` to the first reachable checked address of its host."""
        scheme = request.url.scheme
        if scheme not in DEFAULT_PORTS:
            raise AddressRefused(
                f"{self.policy.subject.capitalize()} connect over http and https only, "
                f"not {scheme}.",
                reason="scheme",
                host=request.url.host,
            )
        host = request.url.raw_host.decode("ascii")
        port = request.url.port or DEFAULT_PORTS[scheme]
        addresses = await self.policy.checked_addresses(host, port)
        extensions = dict(request.extensions)
        if scheme == "https":
            extensions["sni_hostname"] = host
        failure: Exception = AddressRefused(
            f"{host} has no address.", reason="unresolvable", host=host
        )
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


def _is_localhost(host: str) -> bool:
    """``localhost`` and its subdomains, which resolvers answer with loopback (RFC 6761)."""
    name = host.lower().removesuffix(".")
    return name == "localhost" or name.endswith(".localhost")


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
