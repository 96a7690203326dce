"""Keyset (cursor) pagination for list endpoints.

A page ends with an opaque cursor: URL-safe base64 of JSON holding the sort field, the
direction, and the sort value and id of the page's last row. The next page starts right
after that row, ``(value > v) OR (value = v AND id > i)`` (reversed for a descending
sort), so rows added or removed meanwhile never shift a page and no row is seen twice.
The comparison is written out rather than as a tuple so SQLite and PostgreSQL run the
same SQL. Each endpoint declares the fields it sorts by in a :class:`Keyset`; a cursor
made under one sort is refused under another.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Generic, Literal, TypeVar, TypeVarTuple

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Integer,
    Row,
    Select,
    String,
    TypeDecorator,
    and_,
    or_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from luna.errors import ValidationFailed

DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 200
MAX_CURSOR_LENGTH: Final = 2048
_CURSOR_ALPHABET = re.compile(r"^[A-Za-z0-9_-]+$")
_INT32 = 2**31
_INT64 = 2**63

ItemT = TypeVar("ItemT")
RowTs = TypeVarTuple("RowTs")
Direction = Literal["asc", "desc"]


class Page(BaseModel, Generic[ItemT]):
    """One page of a list, and the cursor of the next page."""

    items: list[ItemT]
    next_cursor: str | None = Field(
        description="Pass as `cursor` (with the same `sort`) for the next page; "
        "null on the last page."
    )


@dataclass(frozen=True)
class PageRequest:
    """How many rows a caller wants, and from where (``cursor``; None: the start)."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


def page_request(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="How many items a page holds.")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(
            max_length=MAX_CURSOR_LENGTH,
            description="The `next_cursor` of the previous page; absent for the first page.",
        ),
    ] = None,
) -> PageRequest:
    """The ``limit`` and ``cursor`` query parameters of a list endpoint."""
    return PageRequest(limit=limit, cursor=cursor)


PageRequestDep = Annotated[PageRequest, Depends(page_request)]


@dataclass(frozen=True)
class Sort:
    """A sort field and its direction, written ``name`` (ascending) or ``-name``."""

    field: str
    descending: bool = False

    @classmethod
    def parse(cls, text: str) -> Sort:
        """Read ``name`` or ``-name``."""
        return cls(field=text.removeprefix("-"), descending=text.startswith("-"))

    @property
    def direction(self) -> Direction:
        """``asc`` or ``desc``."""
        return "desc" if self.descending else "asc"

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.field


@dataclass(frozen=True)
class Slice(Generic[*RowTs]):
    """The rows of one page as the query returned them, and the next page's cursor."""

    rows: Sequence[Row[*RowTs]]
    next_cursor: str | None


class _CursorContent(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    sort: Annotated[str, StringConstraints(max_length=100)]
    direction: Direction
    value: Any
    id: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]+$")]


@dataclass(frozen=True)
class CursorPosition:
    """Where a cursor resumes: after the row with this sort value and id."""

    value: Any
    id: str


def cursor_error(message: str) -> ValidationFailed:
    """The 422 answered for a cursor that cannot be used."""
    return ValidationFailed(
        "The cursor is not valid; start again from the first page.",
        errors=[{"in": "query", "name": "cursor", "message": message, "type": "cursor_invalid"}],
    )


def _text_codec(sql_type: String) -> Callable[[Any], Any]:
    length = sql_type.length or 10_000

    def decode(value: Any) -> Any:
        if not isinstance(value, str) or len(value) > length or "\x00" in value:
            raise ValueError("not a text value of this field")
        return value

    return decode


def _integer_codec(sql_type: Integer) -> Callable[[Any], Any]:
    bound = _INT64 if isinstance(sql_type, BigInteger) else _INT32

    def decode(value: Any) -> Any:
        if type(value) is not int or not -bound <= value < bound:
            raise ValueError("not an integer value of this field")
        return value

    return decode


def _decode_datetime(value: Any) -> Any:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        if moment is None or moment.tzinfo is None:
            raise ValueError("not a timestamp with a time zone")
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("timestamp out of range") from None


def _codec_for(column: InstrumentedAttribute[Any]) -> Callable[[Any], Any]:
    """The function that checks and converts a cursor value back for this column."""
    sql_type = column.type
    if isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    if isinstance(sql_type, DateTime):
        return _decode_datetime
    if isinstance(sql_type, Integer):
        return _integer_codec(sql_type)
    if isinstance(sql_type, String):
        return _text_codec(sql_type)
    raise TypeError(f"cannot paginate on {column} of type {column.type}")


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


class Keyset:
    """The sort fields an endpoint allows, each a non-null column, and the unique id
    column that orders rows with equal sort values."""

    def __init__(
        self,
        fields: Mapping[str, InstrumentedAttribute[Any]],
        *,
        id_column: InstrumentedAttribute[str],
    ) -> None:
        if not fields:
            raise ValueError("a keyset needs at least one sort field")
        self.fields = dict(fields)
        self.id_column = id_column
        self._decoders = {name: _codec_for(column) for name, column in self.fields.items()}

    @property
    def sorts(self) -> tuple[str, ...]:
        """Every accepted ``sort`` value: each field, ascending then descending."""
        return tuple(text for name in self.fields for text in (name, f"-{name}"))

    def sort(self, text: str) -> Sort:
        """Parse a ``sort`` parameter, refusing fields outside the whitelist (422)."""
        sort = Sort.parse(text)
        if sort.field not in self.fields:
            raise ValidationFailed(
                "This list cannot be sorted that way.",
                errors=[
                    {
                        "in": "query",
                        "name": "sort",
                        "message": f"Sort by one of: {', '.join(self.sorts)}.",
                    }
                ],
            )
        return sort

    def encode_cursor(self, sort: Sort, entity: Any) -> str:
        """The cursor that resumes right after ``entity`` under ``sort``."""
        column = self.fields[sort.field]
        content = {
            "sort": sort.field,
            "direction": sort.direction,
            "value": _json_value(getattr(entity, column.key)),
            "id": getattr(entity, self.id_column.key),
        }
        raw = json.dumps(content, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode_cursor(self, cursor: str, sort: Sort) -> CursorPosition:
        """Where a cursor resumes; 422 on the ``cursor`` field when it is malformed,
        tampered with, or made under another sort."""
        content = _read_cursor(cursor)
        if content.sort != sort.field or content.direction != sort.direction:
            made_under = ("-" if content.direction == "desc" else "") + content.sort
            raise cursor_error(
                f"This cursor belongs to sort={made_under}, not sort={sort}; "
                "send the same sort, or start again without a cursor."
            )
        try:
            value = self._decoders[sort.field](content.value)
        except ValueError as exc:
            raise cursor_error(f"The cursor holds a bad value: {exc}.") from None
        return CursorPosition(value=value, id=content.id)

    def after(self, sort: Sort, position: CursorPosition) -> ColumnElement[bool]:
        """The condition selecting the rows that come after ``position``."""
        column, ids = self.fields[sort.field], self.id_column
        if sort.descending:
            return or_(column < position.value, and_(column == position.value, ids < position.id))
        return or_(column > position.value, and_(column == position.value, ids > position.id))

    def order_by(self, sort: Sort) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
        """The ORDER BY clauses of a sort, ties broken by id in the same direction."""
        column, ids = self.fields[sort.field], self.id_column
        if sort.descending:
            return column.desc(), ids.desc()
        return column.asc(), ids.asc()


def _read_cursor(cursor: str) -> _CursorContent:
    if not _CURSOR_ALPHABET.match(cursor):
        raise cursor_error("A cursor is URL-safe base64.")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return _CursorContent.model_validate(json.loads(raw))
    except (binascii.Error, UnicodeDecodeError, ValueError, ValidationError):
        # json.JSONDecodeError is a ValueError.
        raise cursor_error("This is not a cursor this API made.") from None


async def paginate(
    session: AsyncSession,
    statement: Select[*RowTs],
    *,
    keyset: Keyset,
    sort: str,
    page: PageRequest,
) -> Slice[*RowTs]:
    """Run ``statement`` for one page. The statement's first selected entity carries
    the sort fields (other columns may follow it); its filters stay as they are."""
    order = keyset.sort(sort)
    statement = statement.order_by(*keyset.order_by(order)).limit(page.limit + 1)
    if page.cursor is not None:
        statement = statement.where(keyset.after(order, keyset.decode_cursor(page.cursor, order)))
    rows = (await session.execute(statement)).all()
    if len(rows) <= page.limit:
        return Slice(rows=rows, next_cursor=None)
    rows = rows[: page.limit]
    last_entity = next(iter(rows[-1]))
    return Slice(rows=rows, next_cursor=keyset.encode_cursor(order, last_entity))
