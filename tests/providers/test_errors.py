"""Provider failures, provoked on the stand-ins, classified for users and for retries."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from pydantic_ai import Agent

from luna.agents.definition import ModelSettings
from luna.providers.build import ResolvedModel, list_models, open_model
from luna.providers.errors import ModelFailure, classify_model_error, provider_wording
from luna.security.network_policy import AddressRefused
from tests.providers.helpers import closed_port_url
from tests.standins import AnthropicStandin, OpenAIStandin, ScriptedError, Turn

pytestmark = pytest.mark.anyio


def claude(standin: AnthropicStandin) -> ResolvedModel:
    return ResolvedModel(
        provider_id="prv_claude",
        kind="anthropic",
        base_url=standin.base_url,
        api_key=standin.api_key,
        model_name="claude-sonnet-4-6",
        settings=ModelSettings(),
        logprobs=False,
        allow_private_networks=True,
    )


def local(standin: OpenAIStandin) -> ResolvedModel:
    return ResolvedModel(
        provider_id="prv_local",
        kind="openai_compatible",
        base_url=standin.base_url,
        api_key=standin.api_key,
        model_name="glm-4.5",
        settings=ModelSettings(),
        logprobs=False,
        allow_private_networks=True,
    )


async def failure_of(resolved: ResolvedModel, *, timeout_seconds: float = 30) -> ModelFailure:
    """Run an agent on the model and classify what it raises."""
    async with open_model(resolved, timeout_seconds=timeout_seconds) as model:
        with pytest.raises(Exception) as raised:  # noqa: PT011  (classified below)
            await Agent(model).run("Hello")
    failure = classify_model_error(raised.value)
    assert failure is not None, repr(raised.value)
    return failure


async def test_a_wrong_key(
    anthropic_standin: AnthropicStandin, openai_standin: OpenAIStandin
) -> None:
    for resolved in (
        replace(claude(anthropic_standin), api_key="sk-ant-wrong-key-0123456789"),
        replace(local(openai_standin), api_key="sk-wrong-key-0123456789"),
    ):
        failure = await failure_of(resolved)
        assert (failure.code, failure.status, failure.retryable) == ("provider-auth", 401, False)
        assert "0123456789" not in failure.message
        assert "key" in failure.message


async def test_rate_limited_with_the_wait_the_provider_asked_for(
    anthropic_standin: AnthropicStandin, openai_standin: OpenAIStandin
) -> None:
    anthropic_standin.script(Turn(error=ScriptedError(429, retry_after=7)))
    openai_standin.script(Turn(error=ScriptedError(429, retry_after=3)))

    from_claude = await failure_of(claude(anthropic_standin))
    from_local = await failure_of(local(openai_standin))

    assert from_claude == ModelFailure(
        code="provider-rate-limited",
        message="The provider's rate limit was reached (429). It asked to wait 7 seconds.",
        retryable=True,
        retry_after_seconds=7.0,
        status=429,
    )
    assert (from_local.code, from_local.retry_after_seconds) == ("provider-rate-limited", 3.0)


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [
        (529, "provider-overloaded", True),
        (503, "provider-overloaded", True),
        (500, "provider-unavailable", True),
        (502, "provider-unavailable", True),
        (400, "provider-bad-request", False),
        (403, "provider-auth", False),
    ],
)
async def test_statuses_from_anthropic(
    anthropic_standin: AnthropicStandin, status: int, code: str, retryable: bool
) -> None:
    anthropic_standin.script(Turn(error=ScriptedError(status)))
    failure = await failure_of(claude(anthropic_standin))
    assert (failure.code, failure.status, failure.retryable) == (code, status, retryable)


async def test_an_error_inside_the_stream(anthropic_standin: AnthropicStandin) -> None:
    anthropic_standin.script(Turn(text="Partial", error=ScriptedError(529, mid_stream=True)))
    failure = await failure_of(claude(anthropic_standin))
    assert (failure.code, failure.retryable) == ("provider-overloaded", True)


async def test_a_refused_request_keeps_the_providers_wording(
    openai_standin: OpenAIStandin,
) -> None:
    openai_standin.script(
        Turn(error=ScriptedError(400, message="'temperature' must be at most 2, got 7"))
    )
    failure = await failure_of(local(openai_standin))
    assert failure.code == "provider-bad-request"
    assert failure.retryable is False
    assert failure.message == (
        "The provider refused the request (400): 'temperature' must be at most 2, got 7"
    )


async def test_an_unknown_model(openai_standin: OpenAIStandin) -> None:
    unknown = ScriptedError(
        404, message="The model `glm-9` does not exist.", code="model_not_found"
    )
    openai_standin.script(Turn(error=unknown))
    failure = await failure_of(local(openai_standin))
    assert (failure.code, failure.status, failure.retryable) == (
        "provider-model-not-found",
        404,
        False,
    )
    assert "'glm-4.5'" in failure.message


async def test_a_wrong_base_url_is_not_an_unknown_model(openai_standin: OpenAIStandin) -> None:
    wrong_path = replace(local(openai_standin), base_url=openai_standin.base_url + "/nothing")
    failure = await failure_of(wrong_path)
    assert (failure.code, failure.status) == ("provider-bad-request", 404)
    assert "base URL" in failure.message


async def test_a_server_that_does_not_answer_in_time(openai_standin: OpenAIStandin) -> None:
    openai_standin.script(Turn(text="Too late.", first_byte_delay=1.5))
    failure = await failure_of(local(openai_standin), timeout_seconds=0.2)
    assert (failure.code, failure.retryable, failure.status) == ("provider-timeout", True, None)


async def test_a_server_that_is_down() -> None:
    resolved = ResolvedModel(
        provider_id="prv_down",
        kind="openai_compatible",
        base_url=closed_port_url(),
        api_key=None,
        model_name="llama3.2",
        settings=ModelSettings(),
        logprobs=True,
        allow_private_networks=True,
    )
    failure = await failure_of(resolved)
    assert (failure.code, failure.retryable, failure.status) == ("provider-unavailable", True, None)
    assert "base URL" in failure.message


async def test_sdk_errors_of_a_model_listing(anthropic_standin: AnthropicStandin) -> None:
    with pytest.raises(Exception) as raised:  # noqa: PT011  (classified below)
        await list_models(
            kind="anthropic",
            base_url=anthropic_standin.base_url,
            api_key="sk-ant-wrong-0123456789",
            timeout_seconds=5,
            allow_private_networks=True,
        )
    failure = classify_model_error(raised.value)
    assert failure is not None
    assert (failure.code, failure.status) == ("provider-auth", 401)

    with pytest.raises(Exception) as down:  # noqa: PT011
        await list_models(
            kind="openai_compatible",
            base_url=closed_port_url(),
            api_key=None,
            timeout_seconds=5,
            allow_private_networks=True,
        )
    unreachable = classify_model_error(down.value)
    assert unreachable is not None and unreachable.code == "provider-unavailable"


def test_other_errors_are_not_provider_failures() -> None:
    for error in (ValueError("bad"), KeyError("x"), TimeoutError(), RuntimeError("boom")):
        assert classify_model_error(error) is None


def test_the_providers_wording_never_carries_a_secret() -> None:
    body = {
        "error": {
            "message": "Incorrect API key provided: sk-proj-abcd1234efgh5678. You can find "
            "your key at https://platform.openai.com/account/api-keys.",
            "type": "invalid_request_error",
        }
    }
    wording = provider_wording(body)
    assert "sk-proj" not in wording
    assert "abcd1234" not in wording
    assert wording.startswith("Incorrect API key provided: [redacted].")
    assert provider_wording({"message": "x" * 1000}) == "[redacted]"
    assert len(provider_wording({"message": "word " * 400})) == 300
    assert provider_wording(None) == ""
    assert provider_wording({"error": {"code": 1}}) == ""


def test_the_providers_wording_is_a_short_excerpt_without_control_characters() -> None:
    raw = (
        "\x1b[2J\x1b[31mInternal admin console\x1b[0m\x00\x07 user=root\r\n"
        "\u202egnirts desrever\u200b token_abcdef0123456789 " + "padding " * 200
    )
    wording = provider_wording(raw)

    assert len(wording) == 300
    assert wording.startswith("[2J [31mInternal admin console [0m user=root gnirts desrever")
    assert not any(ord(char) < 32 or ord(char) == 127 for char in wording)
    assert "\u202e" not in wording and "\u200b" not in wording
    assert "token_abcdef0123456789" not in wording


def test_a_refused_address_is_a_failure_that_names_no_internal_address() -> None:
    refusal = AddressRefused(
        "db.internal resolves to 10.1.2.3, a private or reserved address; ...",
        reason="private-address",
        host="db.internal",
    )
    try:
        raise ConnectionError("wrapped by an SDK") from refusal
    except ConnectionError as wrapped:
        failure = classify_model_error(wrapped)

    assert failure is not None
    assert (failure.code, failure.retryable, failure.status) == (
        "provider-address-refused",
        False,
        None,
    )
    assert "db.internal" in failure.message and "10.1.2.3" not in failure.message
    unresolvable = AddressRefused("x", reason="unresolvable", host="gone.example")
    assert classify_model_error(unresolvable) == classify_model_error(httpx.ConnectError("x"))
