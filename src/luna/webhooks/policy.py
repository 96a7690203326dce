"""Where webhook deliveries may go: the address policy of ``http_fetch`` (public
addresses only, unless the operator allows private networks; never a cloud metadata
endpoint; the checked address is the one connected to)."""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from luna.security.network_policy import AddressPolicy, normalise_host
from luna.settings import Settings

SETTING: Final = "LUNA_WEBHOOKS_ALLOW_PRIVATE_NETWORKS"


def webhook_policy(settings: Settings) -> AddressPolicy:
    """The address policy of webhook deliveries on this installation."""
    return AddressPolicy(
        allow_private_networks=settings.webhooks_private_networks_allowed,
        subject="webhooks",
        setting=SETTING,
    )


def check_endpoint_url(settings: Settings, url: str) -> None:
    """Refuse (422) an endpoint whose host shows, without DNS, an address the policy
    refuses; each delivery checks the addresses its host resolves to as well."""
    host = urlsplit(url).hostname or ""
    webhook_policy(settings).check_literal_host(normalise_host(host))
