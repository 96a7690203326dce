"""Where model providers may connect: the platform's address policy for base URLs.

A workspace admin chooses an OpenAI-compatible server's base URL (or a gateway in front of
Anthropic or OpenAI), so what Luna reaches through it is held to
:mod:`luna.security.network_policy`, as the ``http_fetch`` tool is: never a cloud
metadata endpoint, and private, loopback or link-local addresses only where the operator
allows them (``LUNA_PROVIDERS_ALLOW_PRIVATE_NETWORKS``: by default on in development and
test, where local model servers are normal, off in production).

The rule is checked when a base URL is saved (:func:`check_base_url`: a 422 for a host
that is visibly refused, such as ``127.0.0.1``, ``[::1]``, ``2130706433`` or
``localhost``), and again at every connection (:func:`pinned_http_client`), since DNS
answers change and a server may redirect. A provider's public API (no base URL) is not
a tenant's choice and keeps the SDK's own client.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

import httpx2

from luna.errors import ValidationFailed
from luna.security.network_policy import AddressPolicy, AddressRefused, PinnedTransport

SETTING: Final = "LUNA_PROVIDERS_ALLOW_PRIVATE_NETWORKS"
SUBJECT: Final = "model providers"
# An API answers where it is asked; a few redirects (http to https, a moved path) at most.
MAX_REDIRECTS: Final = 3


def provider_address_policy(*, allow_private_networks: bool) -> AddressPolicy:
    """The address policy of model providers' base URLs."""
    return AddressPolicy(
        allow_private_networks=allow_private_networks, subject=SUBJECT, setting=SETTING
    )


def check_base_url(base_url: str, *, allow_private_networks: bool) -> None:
    """Refuse (ValidationFailed, 422 on ``base_url``) a base URL whose host the policy
    refuses as written, before any DNS: the connection checks the rest."""
    host = urlsplit(base_url).hostname or ""
    policy = provider_address_policy(allow_private_networks=allow_private_networks)
    try:
        policy.check_literal_host(host)
    except AddressRefused as exc:
        message = f"This base URL is not allowed: {exc.detail}"
        raise ValidationFailed(
            message, errors=[{"in": "body", "pointer": "#/base_url", "message": message}]
        ) from None


def pinned_http_client(
    *, allow_private_networks: bool, timeout_seconds: float
) -> httpx2.AsyncClient:
    """An HTTP client for a provider SDK that connects only where the policy allows,
    every redirect checked again. Closing the SDK client closes it."""
    policy = provider_address_policy(allow_private_networks=allow_private_networks)
    return httpx2.AsyncClient(
        transport=PinnedTransport(policy),
        timeout=timeout_seconds,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        trust_env=False,  # a proxy would connect to an address nobody checked
    )
