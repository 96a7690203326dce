"""What a model request cost, in US dollars, from the ``genai_prices`` price list.

Prices come from the snapshot that ships with the package (never fetched at run time),
so a Luna release prices requests the same way everywhere. Models the list does not
know, and every model of an OpenAI-compatible server (a local or self-hosted one, whose
cost is not per token, or one whose prices Luna cannot know), cost zero.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from genai_prices import Usage, calc_price

# The price list's provider id for each provider kind whose prices it knows.
_PRICED_KINDS: Final = {"anthropic": "anthropic", "openai": "openai"}
ZERO: Final = Decimal(0)


def cost_usd(*, kind: str, model_name: str, input_tokens: int, output_tokens: int) -> Decimal:
    """The cost of ``input_tokens`` in and ``output_tokens`` out on a model of a provider
    kind; zero for a model the price list does not know or a kind it does not price."""
    if input_tokens < 0 or output_tokens < 0:
        raise ValueError("token counts cannot be negative")
    provider_id = _PRICED_KINDS.get(kind)
    if provider_id is None or input_tokens + output_tokens == 0:
        return ZERO
    usage = Usage(input_tokens=input_tokens, output_tokens=output_tokens)
    try:
        price = calc_price(usage, model_name, provider_id=provider_id)
    except LookupError:  # a model the price list does not know
        return ZERO
    return price.total_price
