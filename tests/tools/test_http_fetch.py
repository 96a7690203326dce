"""The http_fetch tool against a local server: the allow-list, the public-address rule,
redirects, size and time limits."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from pydantic_ai import ModelRetry, ToolFailed

from luna.tools import http_fetch, network
from luna.tools.http_fetch import MAX_RESPONSE_BYTES, fetch
from tests.tools.conftest import FakeResolver, LocalServer

pytestmark = pytest.mark.anyio
LOCAL = ("127.0.0.1",)


async def test_fetches_from_an_allowed_local_server_when_private_networks_are_allowed(
    local_server: LocalServer,
) -> None:
    result = await fetch(
        local_server.url("/hello"), "GET", allowed_hosts=LOCAL, allow_private_networks=True
    )
    assert result.status == 200
    assert result.text == "héllo wörld"
    assert result.content_type == "text/plain; charset=utf-8"
    assert result.truncated is False
    assert result.url == local_server.url("/hello")
    as_json = await fetch(
        local_server.url("/json"), "GET", allowed_hosts=LOCAL, allow_private_networks=True
    )
    assert as_json.text == '{"ok": true}'


async def test_without_the_allowance_a_local_server_is_refused(local_server: LocalServer) -> None:
    with pytest.raises(ToolFailed, match=r"127.0.0.1 is a private or reserved address"):
        await fetch(
            local_server.url("/hello"), "GET", allowed_hosts=LOCAL, allow_private_networks=False
        )
    assert local_server.hosts == []


async def test_a_host_off_the_allow_list_is_refused(local_server: LocalServer) -> None:
    for allowed in [(), ("localhost",), ("*.0.0.1",), ("127.0.0.2",)]:
        with pytest.raises(ToolFailed, match=r"not on this workspace's list of hosts"):
            await fetch(
                local_server.url("/hello"),
                "GET",
                allowed_hosts=allowed,
                allow_private_networks=True,
            )
    assert local_server.hosts == []


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["10.0.0.8"],
        ["169.254.169.254"],
        ["::1"],
        ["::ffff:127.0.0.1"],
        ["93.184.216.34", "192.168.0.10"],
    ],
)
async def test_a_name_resolving_to_a_private_address_is_refused(
    resolver: FakeResolver, addresses: list[str]
) -> None:
    resolver.answers["docs.example.com"] = addresses
    with pytest.raises(ToolFailed, match=r"private or reserved|metadata"):
        await fetch(
            "https://docs.example.com/page",
            "GET",
            allowed_hosts=("docs.example.com",),
            allow_private_networks=False,
        )
    assert resolver.lookups == ["docs.example.com"]


async def test_the_checked_address_is_the_one_connected_to(
    local_server: LocalServer, resolver: FakeResolver
) -> None:
    # No DNS server knows this name: the fetch can only succeed by connecting to the
    # address the policy checked, while the server still sees the name it was asked for.
    resolver.answers["docs.example"] = ["127.0.0.1"]
    result = await fetch(
        local_server.url("/hello", host="docs.example"),
        "GET",
        allowed_hosts=("*.example", "docs.example"),
        allow_private_networks=True,
    )
    assert result.text == "héllo wörld"
    assert local_server.hosts == [f"docs.example:{local_server.port}"]
    assert resolver.lookups == ["docs.example"]


async def test_redirects_are_followed_and_checked_at_every_hop(
    local_server: LocalServer, resolver: FakeResolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    followed = await fetch(
        local_server.url("/to-hello"), "GET", allowed_hosts=LOCAL, allow_private_networks=True
    )
    assert (followed.url, followed.text) == (local_server.url("/hello"), "héllo wörld")

    with pytest.raises(ToolFailed, match=r"elsewhere.example is not on this workspace's list"):
        await fetch(
            local_server.url("/to-elsewhere"),
            "GET",
            allowed_hosts=LOCAL,
            allow_private_networks=True,
        )
    with pytest.raises(ToolFailed, match=r"metadata endpoint"):
        await fetch(
            local_server.url("/to-metadata"),
            "GET",
            allowed_hosts=(*LOCAL, "169.254.169.254"),
            allow_private_networks=True,
        )
    with pytest.raises(ToolFailed, match=r"redirected to an address that is not fetched"):
        await fetch(
            local_server.url("/to-file"), "GET", allowed_hosts=LOCAL, allow_private_networks=True
        )
    with pytest.raises(ToolFailed, match=r"redirected more than 3 times"):
        await fetch(
            local_server.url("/loop"), "GET", allowed_hosts=LOCAL, allow_private_networks=True
        )
    assert local_server.hosts.count(f"127.0.0.1:{local_server.port}") == 1 + 1 + 1 + 1 + 1 + 4


async def test_a_redirect_to_a_private_address_is_refused(
    local_server: LocalServer, resolver: FakeResolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test server stands for a public one: only its own address passes as public.
    server_address = ipaddress.ip_address("127.0.0.1")
    public = network.is_public
    monkeypatch.setattr(network, "is_public", lambda a: a == server_address or public(a))
    resolver.answers["internal.example"] = ["10.1.2.3"]
    allowed = (*LOCAL, "internal.example")
    with pytest.raises(ToolFailed, match=r"internal.example resolves to 10.1.2.3"):
        await fetch(
            local_server.url("/to-internal"),
            "GET",
            allowed_hosts=allowed,
            allow_private_networks=False,
        )
    assert local_server.hosts == [f"127.0.0.1:{local_server.port}"]


async def test_large_bodies_are_cut_and_marked(local_server: LocalServer) -> None:
    result = await fetch(
        local_server.url("/big"), "GET", allowed_hosts=LOCAL, allow_private_networks=True
    )
    assert result.truncated is True
    assert result.text.startswith("a" * MAX_RESPONSE_BYTES + "\n[truncated")
    assert "a" * (MAX_RESPONSE_BYTES + 1) not in result.text


async def test_a_compressed_body_is_never_expanded_past_the_cap(local_server: LocalServer) -> None:
    result = await fetch(
        local_server.url("/bomb"), "GET", allowed_hosts=LOCAL, allow_private_networks=True
    )
    assert result.truncated is True
    assert len(result.text) < MAX_RESPONSE_BYTES + 100


async def test_binary_bodies_are_described_not_shown(local_server: LocalServer) -> None:
    result = await fetch(
        local_server.url("/image"), "GET", allowed_hosts=LOCAL, allow_private_networks=True
    )
    assert result.text == "[72 bytes of image/png content, not shown as text]"


async def test_head_returns_the_status_only(local_server: LocalServer) -> None:
    result = await fetch(
        local_server.url("/hello"), "HEAD", allowed_hosts=LOCAL, allow_private_networks=True
    )
    assert (result.status, result.text) == (200, "")
    missing = await fetch(
        local_server.url("/nope"), "GET", allowed_hosts=LOCAL, allow_private_networks=True
    )
    assert (missing.status, missing.text) == (404, "not here")


async def test_slow_servers_time_out(
    local_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_fetch, "TIMEOUT_SECONDS", 0.3)
    with pytest.raises(ModelRetry, match=r"did not answer within"):
        await fetch(
            local_server.url("/slow"), "GET", allowed_hosts=LOCAL, allow_private_networks=True
        )


async def test_a_closed_port_is_a_failure_the_model_may_retry() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(ModelRetry, match=r"failed"):
        await fetch(
            f"http://127.0.0.1:{port}/", "GET", allowed_hosts=LOCAL, allow_private_networks=True
        )


async def test_a_host_that_is_no_host_name_is_never_allowed() -> None:
    with pytest.raises(ToolFailed, match=r"my_host.example is not on this workspace's list"):
        await fetch(
            "http://my_host.example/", "GET", allowed_hosts=("*",), allow_private_networks=True
        )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "file:///etc/passwd",
        "not a url",
        "/relative",
        "http://",
        "http://user:secret@example.com/",
        "https://example.com/" + "a" * 5000,
    ],
)
async def test_urls_that_are_not_fetched(url: str) -> None:
    with pytest.raises(ModelRetry):
        await fetch(url, "GET", allowed_hosts=("example.com",), allow_private_networks=False)
