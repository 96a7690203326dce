"""The platform's address policy: hosts refused as written, addresses refused after DNS,
metadata endpoints refused always, and a pinned transport that checks every request."""

from __future__ import annotations

import ipaddress

import httpx2
import pytest

from luna.security import network_policy
from luna.security.network_policy import AddressPolicy, AddressRefused, PinnedTransport

pytestmark = pytest.mark.anyio

CLOSED = AddressPolicy(allow_private_networks=False, subject="widgets", setting="LUNA_X")
OPEN = AddressPolicy(allow_private_networks=True, subject="widgets", setting="LUNA_X")


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("169.254.169.254.", "169.254.169.254"),
        ("models.example.com", None),
        ("localhost", None),
    ],
)
def test_literal_addresses_in_every_spelling(host: str, address: str | None) -> None:
    found = network_policy.literal_address(host)
    assert found == (ipaddress.ip_address(address) if address else None)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "[::1]",
        "::ffff:10.0.0.1",
        "localhost",
        "Api.LocalHost.",
        "10.9.8.7",
    ],
)
def test_a_host_showing_a_private_address_is_refused_without_dns(host: str) -> None:
    with pytest.raises(
        AddressRefused, match=r"private or reserved.*widgets.*\(LUNA_X\)"
    ) as refused:
        CLOSED.check_literal_host(host)
    assert refused.value.reason == "private-address"
    OPEN.check_literal_host(host)


@pytest.mark.parametrize(
    "host",
    [
        "169.254.169.254",
        "[fd00:ec2::254]",
        "::ffff:169.254.169.254",
        "2852039166",  # 169.254.169.254 as one number
        "metadata.google.internal",
        "METADATA.google.internal.",
        "metadata",
    ],
)
def test_metadata_endpoints_are_refused_under_either_policy(host: str) -> None:
    for policy in (CLOSED, OPEN):
        with pytest.raises(AddressRefused, match="cloud metadata endpoint") as refused:
            policy.check_literal_host(host)
        assert refused.value.reason == "cloud-metadata"


def test_names_and_public_addresses_pass_as_written() -> None:
    for host in ("models.example.com", "93.184.216.34", "2606:4700::1111"):
        CLOSED.check_literal_host(host)


async def test_every_resolved_address_is_checked_and_metadata_names_are_never_resolved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = {"mixed.example": ["93.184.216.34", "10.0.0.8"], "ok.example": ["93.184.216.34"]}
    lookups: list[str] = []

    async def resolve(host: str, port: int) -> list[network_policy.IPAddress]:
        lookups.append(host)
        return [ipaddress.ip_address(address) for address in answers[host]]

    monkeypatch.setattr(network_policy, "resolve", resolve)

    with pytest.raises(AddressRefused, match=r"mixed.example resolves to 10.0.0.8"):
        await CLOSED.checked_addresses("mixed.example", 443)
    assert await CLOSED.checked_addresses("ok.example", 443) == [
        ipaddress.ip_address("93.184.216.34")
    ]
    with pytest.raises(AddressRefused, match="cloud metadata endpoint"):
        await OPEN.checked_addresses("metadata.google.internal", 80)
    assert lookups == ["mixed.example", "ok.example"]


async def test_the_pinned_transport_refuses_before_connecting() -> None:
    transport = PinnedTransport(CLOSED)
    async with httpx2.AsyncClient(transport=transport) as client:
        for url in ("http://127.0.0.1:9/", "http://[::1]:9/", "http://2130706433:9/"):
            with pytest.raises(AddressRefused, match="private or reserved"):
                await client.get(url)
