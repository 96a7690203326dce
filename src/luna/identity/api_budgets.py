"""Each caller's API budget: the requests per minute of its team's plan.

The rate-limit middleware asks :class:`PlanBudgets` who an API request comes from and how
many requests a minute it may make. The credential is read as authentication reads it
(:mod:`luna.identity.credentials`), so the two never disagree on who is calling. An API
key acts for its workspace's team; a signed-in user for every team they belong to, with
the largest budget among them.
Anyone else (no credentials, a credential Luna does not know, an identity provider's
token, which only the route verifies) is counted by client address under the
installation's default limit, so that inventing tokens never buys a fresh budget.

Every read goes through :class:`~luna.cache.Caches`: a caller costs the database a few
reads per cache lifetime, not one per request. A plan change reaches the budgets at
once (the team's cached plan is invalidated), a new membership within the cache TTL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeAlias

from limits import RateLimitItem
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import Headers
from starlette.types import Scope

from luna.cache import Caches
from luna.db.base import utcnow
from luna.identity.credentials import presented_credential
from luna.identity.models import ApiKey
from luna.identity.session_store import store_for
from luna.identity.tokens import digest
from luna.observability.logging import get_logger
from luna.plans.service import FREE_PLAN, cached_plans
from luna.security.limits import parse_limit
from luna.security.rate_limit import CallerBudget
from luna.settings import Settings
from luna.tenancy.models import Membership, Team, Workspace

log = get_logger(__name__)


# Who holds a credential, as the callers cache keeps it: ``{"caller": ..., "teams": [...]}``,
# the budget's key (one per API key, one per user whatever their sessions) and the teams
# it acts for.
Caller: TypeAlias = dict[str, Any]


class PlanBudgets:
    """The budget of a request's caller, from its team plan (``None``: not a caller
    Luna knows, which the middleware counts by address under the default limit).

    ``open_session`` gives a database session of the started application; it is only
    called on a cache miss.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        caches: Caches,
        open_session: Callable[[], AsyncSession],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.caches = caches
        self.open_session = open_session
        self.clock = clock
        self._items: dict[int, RateLimitItem] = {}

    async def __call__(self, scope: Scope) -> CallerBudget | None:
        try:
            return await self._budget(scope)
        except SQLAlchemyError as exc:
            log.warning("caller's plan unknown; default rate limit applied", error=str(exc))
            return None

    async def _budget(self, scope: Scope) -> CallerBudget | None:
        credential = self._credential(scope)
        if credential is None:
            return None
        cache_key, load = credential
        caller = await self.caches.callers.get_or_load(cache_key, load)
        if caller is None or not caller["teams"]:
            return None
        per_minute = max([await self.team_budget(team_id) for team_id in caller["teams"]])
        return CallerBudget(key=caller["caller"], item=self._item(per_minute))

    def _credential(
        self, scope: Scope
    ) -> tuple[str, Callable[[], Awaitable[Caller | None]]] | None:
        """The cache key of the request's credential and how to find who holds it."""
        credential = presented_credential(
            Headers(scope=scope), session_cookie=self.settings.session_cookie_name
        )
        if credential is None or credential.kind == "identity-token":
            return None  # the route verifies a token: until then, counted by address
        secret_hash = digest(credential.secret)
        if credential.kind == "api-key":
            return f"key:{secret_hash}", lambda: self._holder_of_key(secret_hash)
        return f"session:{secret_hash}", lambda: self._holder_of_session(secret_hash)

    async def _holder_of_key(self, secret_hash: str) -> Caller | None:
        async with self.open_session() as session:
            row = (
                await session.execute(
                    select(ApiKey.id, Workspace.team_id)
                    .join(Workspace, Workspace.id == ApiKey.workspace_id)
                    .where(ApiKey.secret_hash == secret_hash, ApiKey.revoked_at.is_(None))
                )
            ).first()
        return None if row is None else {"caller": f"api-key:{row.id}", "teams": [row.team_id]}

    async def _holder_of_session(self, token_hash: str) -> Caller | None:
        async with self.open_session() as session:
            record = await store_for(session).find(token_hash)
            if record is None or record.revoked_at is not None:
                return None
            if self.clock() >= record.expires_at:
                return None
            team_ids = await session.scalars(
                select(Membership.team_id)
                .where(Membership.user_id == record.user_id)
                .order_by(Membership.team_id)
            )
            return {"caller": f"user:{record.user_id}", "teams": list(team_ids)}

    async def team_budget(self, team_id: str) -> int:
        """The requests per minute of the team's plan (the free plan's for an unknown
        team or plan)."""
        async with self.open_session() as session:
            plan_id = await self.caches.team_plans.get_or_load(
                team_id, lambda: session.scalar(select(Team.plan).where(Team.id == team_id))
            )
            plans = await cached_plans(session=session, caches=self.caches)
        plan = plans.get(plan_id or FREE_PLAN) or plans.get(FREE_PLAN)
        if plan is None:  # the operator removed even the free plan
            return self._default_per_minute()
        return plan.api_requests_per_minute

    def _default_per_minute(self) -> int:
        item = parse_limit(self.settings.api_rate_limit)
        return max(1, round(item.amount * 60 / item.get_expiry()))

    def _item(self, per_minute: int) -> RateLimitItem:
        item = self._items.get(per_minute)
        if item is None:
            item = self._items[per_minute] = parse_limit(f"{per_minute}/minute")
        return item
