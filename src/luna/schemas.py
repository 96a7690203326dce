"""The base of every request body: types taken as strictly as the JSON they arrive in.

FastAPI validates a parsed JSON body in Pydantic's Python mode, which by default converts
what it can: ``true`` becomes ``1`` for an integer, ``"7"`` becomes ``7``, ``1`` becomes
``true``. A client sending the wrong type has a bug it should hear about (422), not a
guess, so request models derive from :class:`RequestModel`, which is strict.

Strict Python mode would also refuse what JSON can only carry as text, such as a date
and time: such fields use :data:`JsonDatetime`. Fixed sets of values are ``Literal``
types, which strict mode takes as they are.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, PlainSerializer, Strict


class RequestModel(BaseModel):
    """A request body's shape: no type conversions (a boolean is not a number, nor a
    string a number), as with Pydantic's strict JSON validation. A subclass's own
    ``model_config`` adds to this one."""

    model_config = ConfigDict(strict=True)


def _date_time_text(value: object) -> object:
    """JSON carries a date and time as ISO 8601 text, never as a number or a boolean."""
    if isinstance(value, str | datetime):
        return value
    raise ValueError(
        "must be an ISO 8601 date and time with a time zone, such as 2030-01-31T09:00:00Z"
    )


JsonDatetime = Annotated[AwareDatetime, Strict(False), BeforeValidator(_date_time_text)]
"""A date and time with a time zone, given as ISO 8601 text."""


Money = Annotated[
    Decimal,
    PlainSerializer(lambda amount: format(amount, "f"), return_type=str, when_used="json"),
]
"""US dollars as a decimal string (``"0.00123000"``), never a float."""
