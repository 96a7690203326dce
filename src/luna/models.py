"""The table registry: imports every domain's tables so that ``Base.metadata`` knows the
whole schema.

It stands at the top of the house, beside the composition roots, because it names every
domain; the platform (``db/``, ``security/``) never imports it. Alembic's autogenerate,
the drift check and secret rotation read the metadata after importing this module; each
domain adds its ``models`` module here when it gains tables.
"""

from luna.agents import models as agent_models
from luna.billing import models as billing_models
from luna.budgets import models as budget_models
from luna.chains import models as chain_models
from luna.db.base import Base
from luna.evals import models as eval_models
from luna.events import models as event_models
from luna.identity import models as identity_models
from luna.jobs import models as job_models
from luna.notifications import models as notification_models
from luna.onboarding import models as onboarding_models
from luna.plans import models as plan_models
from luna.providers import models as provider_models
from luna.runs import models as run_models
from luna.schedules import models as schedule_models
from luna.security import models as security_models
from luna.sharing import models as sharing_models
from luna.tenancy import models as tenancy_models
from luna.tools import models as tool_models
from luna.usage import models as usage_models
from luna.webhooks import models as webhook_models

__all__ = [
    "Base",
    "agent_models",
    "billing_models",
    "budget_models",
    "chain_models",
    "eval_models",
    "event_models",
    "identity_models",
    "job_models",
    "notification_models",
    "onboarding_models",
    "plan_models",
    "provider_models",
    "run_models",
    "schedule_models",
    "security_models",
    "sharing_models",
    "tenancy_models",
    "tool_models",
    "usage_models",
    "webhook_models",
]
