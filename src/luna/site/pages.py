"""What the site's pages say, and how they are rendered: Jinja templates, autoescaped.

The landing page's pricing comes from the plans (``GET /api/v1/plans`` reads the same
cache), its catalog from the built-in agent catalog, and its FAQ from :data:`FAQ`, which
also feeds the page's schema.org ``FAQPage`` data, so the two never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from luna import __version__
from luna.agents.catalog import Catalog, CatalogAgent
from luna.plans.schemas import PlanOut

SITE_NAME: Final = "Luna"
TAGLINE: Final = "Build, run and watch AI agents think."
DESCRIPTION: Final = (
    "Luna runs AI agents on the model you choose and streams every reasoning step as a "
    "live graph you can replay. 28 ready-made software-lifecycle agents included."
)


@dataclass(frozen=True)
class Question:
    """One entry of the FAQ."""

    question: str
    answer: str


FAQ: Final = (
    Question(
        "Which models can my agents use?",
        "Claude through the Anthropic API, and any server that speaks the OpenAI Chat "
        "Completions protocol: OpenAI itself, hosted open models, or a model running on "
        "your own machine. Each workspace brings its own provider keys, encrypted at rest.",
    ),
    Question(
        "What does watching an agent think look like?",
        "Every model request, thought, tool call, tool result and answer becomes a node of "
        "a graph that grows while the run streams, with its latency, tokens, cost and "
        "confidence. Finished runs replay step by step at up to 16x speed.",
    ),
    Question(
        "Do I have to write my agents from scratch?",
        "No. The catalog holds 28 agents for the whole software lifecycle, from API design "
        "and code review to release notes and security audits. Start from one, edit its "
        "instructions, tools and model, and every change is versioned.",
    ),
    Question(
        "Is there a free plan?",
        "Starter is free forever: 100 runs a day, one active agent and the six core "
        "catalog agents. Upgrade when you need more; downgrading never deletes data.",
    ),
    Question(
        "Can we run Luna on our own infrastructure?",
        "Yes. Luna is one Python service with PostgreSQL and, optionally, Redis. "
        "Enterprise customers deploy it in their own cloud or data centre, with SSO, "
        "audit logs and a dedicated success manager.",
    ),
    Question(
        "How is our data protected?",
        "Sessions live in secure HTTP-only cookies, secrets are encrypted with an "
        "authenticated cipher, every workspace is isolated from the others, and every "
        "change to a team is written to its audit log. Multi-factor sign-in and SSO are "
        "built in.",
    ),
)


@dataclass(frozen=True)
class Feature:
    """A selling point of the landing page."""

    title: str
    text: str


FEATURES: Final = (
    Feature(
        "See every step",
        "A live graph of each run: model calls, thinking, tool calls and answers, with "
        "tokens, cost and confidence on every node.",
    ),
    Feature(
        "Bring your model",
        "Claude first, and any OpenAI-compatible server, including models on your own "
        "hardware. Switch per agent without changing code.",
    ),
    Feature(
        "Never lose a run",
        "Runs are durable workflows: a crash or a deploy resumes them where they stopped, "
        "and retries follow each provider's rate limits.",
    ),
    Feature(
        "Ready for teams",
        "Workspaces, roles, invitations, API keys with scopes, SSO, multi-factor sign-in "
        "and an audit log of everything that changes.",
    ),
)

CATEGORY_NAMES: Final = {
    "build": "Build",
    "quality": "Quality",
    "ship": "Ship",
    "intelligence": "Intelligence",
    "design": "Design",
    "meta": "Orchestration",
}


@dataclass(frozen=True)
class CatalogGroup:
    """The catalog agents of one category, for the landing page."""

    name: str
    agents: tuple[CatalogAgent, ...]


def catalog_groups(catalog: Catalog) -> list[CatalogGroup]:
    """The catalog by category, largest first."""
    groups = [
        CatalogGroup(name, tuple(agent for agent in catalog if agent.category == category))
        for category, name in CATEGORY_NAMES.items()
    ]
    return sorted((g for g in groups if g.agents), key=lambda g: -len(g.agents))


def price_label(plan: PlanOut) -> str:
    """How a plan's price reads on the page."""
    if plan.price_cents is None:
        return "Custom"
    if plan.price_cents == 0:
        return "Free"
    dollars = plan.price_cents / 100
    amount = f"{dollars:,.0f}" if dollars == int(dollars) else f"{dollars:,.2f}"
    symbol = "$" if plan.currency.lower() == "usd" else f"{plan.currency.upper()} "
    return f"{symbol}{amount}"


def plan_lines(plan: PlanOut) -> list[str]:
    """A plan's entitlements, one line each, as the pricing cards list them."""

    def limit(value: int | None, one: str, many: str) -> str:
        if value is None:
            return f"Unlimited {many}"
        return f"{value:,} {one if value == 1 else many}"

    lines = [
        limit(plan.runs_per_day, "run a day", "runs a day"),
        limit(plan.active_agents, "active agent", "active agents"),
        limit(plan.workspaces, "workspace", "workspaces"),
        limit(plan.seats, "seat", "seats"),
        limit(plan.concurrent_runs, "concurrent run", "concurrent runs"),
        f"{plan.api_requests_per_minute:,} API requests a minute",
        "All 28 catalog agents" if plan.all_catalog_agents else "The six core catalog agents",
    ]
    if plan.sso:
        lines.append("Single sign-on (SSO)")
    retention = plan.data_retention_days
    lines.append(
        "Run history kept as long as you need"
        if retention is None
        else f"{retention}-day run history"
    )
    lines.append(f"{plan.support_level.capitalize()} support")
    return lines


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` block: no ``</script>`` can
    end it early, whatever the data says."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    escaped = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(escaped)  # noqa: S704  (escaped for a script data block just above)


def product_data(base_url: str, plans: Sequence[PlanOut]) -> dict[str, Any]:
    """schema.org ``Product`` with one ``Offer`` per priced plan."""
    offers = [
        {
            "@type": "Offer",
            "name": plan.name,
            "price": f"{plan.price_cents / 100:.2f}",
            "priceCurrency": plan.currency.upper(),
            "url": f"{base_url}/pricing",
            "availability": "https://schema.org/InStock",
        }
        for plan in plans
        if plan.price_cents is not None
    ]
    return {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": SITE_NAME,
        "description": DESCRIPTION,
        "brand": {"@type": "Brand", "name": SITE_NAME},
        "url": f"{base_url}/",
        "offers": offers,
    }


def faq_data(questions: Iterable[Question]) -> dict[str, Any]:
    """schema.org ``FAQPage`` of the questions the page shows."""
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": item.question,
                "acceptedAnswer": {"@type": "Answer", "text": item.answer},
            }
            for item in questions
        ],
    }


def environment() -> Environment:
    """The Jinja environment of the site's templates, autoescaping HTML and XML."""
    env = Environment(
        loader=PackageLoader("luna.site", "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        enable_async=False,
    )
    env.globals.update(site_name=SITE_NAME, tagline=TAGLINE, version=__version__)
    return env
