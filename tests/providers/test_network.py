"""Where a provider's base URL may lead, as production sets it: no private or loopback
address in any spelling, through DNS or through a redirect; never a cloud metadata
endpoint, even where private networks are allowed (the default in tests)."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from pydantic_ai import Agent

from luna.agents.definition import ModelSettings
from luna.providers.build import ResolvedModel, open_model
from luna.providers.errors import classify_model_error
from luna.security import network_policy
from luna.settings import Settings
from tests.providers.helpers import create_provider, pointers, providers_url
from tests.standins import OpenAIStandin

pytestmark = pytest.mark.anyio

SETTING = "LUNA_PROVIDERS_ALLOW_PRIVATE_NETWORKS"
# A second loopback address, standing in for a public server (see `public_stand_in`).
STAND_IN_PUBLIC = "127.0.0.2"

INTERNAL_BASE_URLS = [
    "http://127.0.0.1:11434/v1",
    "http://2130706433:11434/v1",
    "http://0x7f.1:11434/v1",
    "http://0177.0.0.1:11434/v1",
    "http://[::1]:11434/v1",
    "http://[::ffff:127.0.0.1]:11434/v1",
    "http://localhost:11434/v1",
    "http://ollama.localhost:11434/v1",
    "http://10.0.0.5/v1",
    "http://192.168.1.20:8000/v1",
    "http://169.254.169.254/latest",
    "http://metadata.google.internal/computeMetadata/v1",
]
METADATA_BASE_URLS = [
    "http://169.254.169.254/latest",
    "http://[fd00:ec2::254]/v1",
    "http://[::ffff:169.254.169.254]/v1",
    "http://metadata.google.internal/computeMetadata/v1",
    "http://100.100.100.200/v1",
]


@dataclass
class Resolver:
    """DNS the test decides; every look-up is counted."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)

    async def __call__(self, host: str, port: int) -> list[network_policy.IPAddress]:
        self.lookups.append(host)
        return [ipaddress.ip_address(a) for a in self.answers.get(host, [host])]


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    fake = Resolver()
    monkeypatch.setattr(network_policy, "resolve", fake)
    return fake


def local(name: str, base_url: str) -> dict[str, Any]:
    return {"name": name, "kind": "openai_compatible", "base_url": base_url}


async def check(client: httpx.AsyncClient, workspace_id: str, provider_id: str) -> Any:
    response = await client.post(providers_url(workspace_id, provider_id, "check"))
    assert response.status_code == 200, response.text
    return response.json()


class TestWithPrivateNetworksRefused:
    """The installation as production runs it (the setting off)."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"providers_allow_private_networks": False})

    @pytest.mark.parametrize("base_url", INTERNAL_BASE_URLS)
    async def test_an_internal_address_is_refused_when_saved(
        self, client: httpx.AsyncClient, sign_up, base_url: str
    ) -> None:
        account = await sign_up()
        url = providers_url(account.workspace_id)

        created = await client.post(url, json=local("Internal", base_url))
        public = await create_provider(
            client, account.workspace_id, **local("Public", "https://models.example.com/v1")
        )
        changed = await client.patch(
            providers_url(account.workspace_id, public["id"]), json={"base_url": base_url}
        )

        for refused in (created, changed):
            assert refused.status_code == 422, refused.text
            assert pointers(refused) == ["#/base_url"]
            assert "not allowed" in refused.json()["detail"]
        listed = (await client.get(url)).json()["items"]
        assert [p["base_url"] for p in listed] == ["https://models.example.com/v1"]

    async def test_a_name_resolving_to_loopback_is_refused_when_connecting(
        self, client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin, resolver: Resolver
    ) -> None:
        # Saved (a name shows nothing), then resolved at every connection.
        port = openai_standin.origin.rsplit(":", 1)[1]
        account = await sign_up()
        for name, address in [("loopback", "127.0.0.1"), ("loopback6", "::1")]:
            resolver.answers[f"{name}.example"] = [address]
            provider = await create_provider(
                client, account.workspace_id, **local(name, f"http://{name}.example:{port}/v1")
            )
            result = await check(client, account.workspace_id, provider["id"])

            assert result["ok"] is False
            assert result["models"] == []
            assert result["error"]["code"] == "provider-address-refused"
            assert f"{name}.example is, or resolves to, a private" in result["error"]["message"]
            assert SETTING in result["error"]["message"]
            assert address not in result["error"]["message"]  # no map of internal DNS
        assert openai_standin.requests == []

    async def test_a_redirect_to_loopback_is_refused(
        self,
        client: httpx.AsyncClient,
        sign_up,
        openai_standin: OpenAIStandin,
        public_stand_in: RedirectServer,
    ) -> None:
        public_stand_in.location = f"{openai_standin.base_url}/models"
        account = await sign_up()
        provider = await create_provider(
            client, account.workspace_id, **local("Gateway", public_stand_in.base_url)
        )

        result = await check(client, account.workspace_id, provider["id"])

        assert result["ok"] is False
        assert result["error"]["code"] == "provider-address-refused"
        assert "127.0.0.1 is, or resolves to, a private" in result["error"]["message"]
        assert public_stand_in.paths == ["/v1/models"]
        assert openai_standin.requests == []

    async def test_a_model_request_in_a_run_is_refused_too(
        self, openai_standin: OpenAIStandin
    ) -> None:
        resolved = ResolvedModel(
            provider_id="prv_local",
            kind="openai_compatible",
            base_url=openai_standin.base_url,
            api_key=openai_standin.api_key,
            model_name="glm-4.5",
            settings=ModelSettings(),
            logprobs=False,
            allow_private_networks=False,
        )
        async with open_model(resolved, timeout_seconds=5) as model:
            with pytest.raises(network_policy.AddressRefused) as refused:
                await Agent(model).run("Hello")

        failure = classify_model_error(refused.value)
        assert failure is not None
        assert (failure.code, failure.retryable) == ("provider-address-refused", False)
        assert openai_standin.requests == []


@pytest.mark.parametrize("base_url", METADATA_BASE_URLS)
async def test_metadata_endpoints_are_refused_even_where_private_networks_are_allowed(
    app: Any, client: httpx.AsyncClient, sign_up, base_url: str
) -> None:
    assert app.state.settings.providers_private_networks_allowed  # the default in tests
    account = await sign_up()

    refused = await client.post(providers_url(account.workspace_id), json=local("M", base_url))

    assert refused.status_code == 422, refused.text
    assert pointers(refused) == ["#/base_url"]
    assert "cloud metadata endpoint" in refused.json()["detail"]


async def test_a_name_resolving_to_metadata_is_refused_where_private_networks_are_allowed(
    client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin, resolver: Resolver
) -> None:
    resolver.answers["metadata.example"] = ["169.254.169.254"]
    account = await sign_up()
    provider = await create_provider(
        client, account.workspace_id, **local("Meta", "http://metadata.example/v1")
    )
    body = local("Local", openai_standin.base_url) | {"api_key": openai_standin.api_key}
    standin = await create_provider(client, account.workspace_id, **body)

    refused = await check(client, account.workspace_id, provider["id"])
    allowed = await check(client, account.workspace_id, standin["id"])

    assert refused["ok"] is False
    assert refused["error"]["code"] == "provider-address-refused"
    assert "metadata.example is a cloud metadata endpoint" in refused["error"]["message"]
    assert allowed["ok"] is True  # a local model server, as in development
    assert allowed["models"] == openai_standin.models


@pytest.mark.parametrize(
    ("env", "setting", "allowed"),
    [
        ("development", None, True),
        ("test", None, True),
        ("production", None, False),
        ("production", True, True),
        ("development", False, False),
    ],
)
def test_private_networks_are_allowed_by_default_outside_production(
    settings: Settings, env: str, setting: bool | None, allowed: bool
) -> None:
    chosen = settings.model_copy(update={"env": env, "providers_allow_private_networks": setting})
    assert chosen.providers_private_networks_allowed is allowed


@dataclass
class RedirectServer:
    """A server on 127.0.0.2 that redirects every request to ``location``."""

    port: int
    location: str = ""
    paths: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://{STAND_IN_PUBLIC}:{self.port}/v1"


class _Redirect(BaseHTTPRequestHandler):
    server: _RedirectHTTPServer

    def do_GET(self) -> None:
        self.server.state.paths.append(self.path)
        self.send_response(307)
        self.send_header("Location", self.server.state.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


class _RedirectHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    state: RedirectServer


@pytest.fixture
def public_stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[RedirectServer]:
    """A redirecting server the policy takes for a public one: its address, and only
    that, counts as public."""
    server = _RedirectHTTPServer((STAND_IN_PUBLIC, 0), _Redirect)
    server.state = RedirectServer(port=server.server_address[1])
    public = network_policy.is_public
    standing_in = ipaddress.ip_address(STAND_IN_PUBLIC)
    monkeypatch.setattr(network_policy, "is_public", lambda a: a == standing_in or public(a))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.state
    finally:
        server.shutdown()
        server.server_close()
