"""The network policy: host allow-lists and the public-address rule."""

from __future__ import annotations

import ipaddress

import pytest

from luna.tools.errors import DestinationRefused
from luna.tools.network import (
    check_address,
    host_allowed,
    is_public,
    normalise_host,
    normalise_host_pattern,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Docs.Example.COM", "docs.example.com"),
        ("example.com.", "example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("*.Example.com", "*.example.com"),
    ],
)
def test_host_patterns_are_normalised(text: str, expected: str) -> None:
    assert normalise_host_pattern(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "*", "*.com", "*.127.0.0.1", "exa mple.com", "-bad.com", "a..b", "http://x.com", "x/y"],
)
def test_bad_host_patterns_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"host name|wildcard"):
        normalise_host_pattern(text)


def test_allow_list_matching() -> None:
    patterns = ["docs.example.com", "*.example.org", "203.0.113.7"]
    assert host_allowed("docs.example.com", patterns)
    assert not host_allowed("example.com", patterns)
    assert not host_allowed("evil-docs.example.com", patterns)
    assert host_allowed("a.b.example.org", patterns)
    assert not host_allowed("example.org", patterns)
    assert not host_allowed("notexample.org", patterns)
    assert host_allowed("203.0.113.7", patterns)
    assert not host_allowed(normalise_host("DOCS.example.com."), [])


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.1.2.3",
        "224.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1",
        "fd00::1",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "2002:7f00:1::",
        "64:ff9b::a00:1",
        "2001:db8::1",
    ],
)
def test_private_and_special_addresses_are_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))
    with pytest.raises(DestinationRefused, match=r"private or reserved|metadata"):
        check_address(ipaddress.ip_address(address), host="h", allow_private_networks=False)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "1.1.1.1"])
def test_public_addresses_pass(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))
    check_address(ipaddress.ip_address(address), host="h", allow_private_networks=False)


def test_a_refusal_is_the_tools_own_error_and_names_the_operators_setting() -> None:
    with pytest.raises(DestinationRefused, match=r"LUNA_TOOLS_ALLOW_PRIVATE_NETWORKS") as refused:
        check_address(ipaddress.ip_address("10.0.0.1"), host="wiki", allow_private_networks=False)
    assert refused.value.code == "destination-refused"
    assert "tools may only reach public addresses" in refused.value.detail


def test_the_operator_may_allow_private_networks_but_never_metadata_endpoints() -> None:
    check_address(ipaddress.ip_address("10.0.0.1"), host="h", allow_private_networks=True)
    check_address(ipaddress.ip_address("::1"), host="h", allow_private_networks=True)
    for metadata in ("169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254"):
        with pytest.raises(DestinationRefused, match=r"metadata"):
            check_address(ipaddress.ip_address(metadata), host="h", allow_private_networks=True)
