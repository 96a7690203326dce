"""Every column that holds a secret encrypted at rest, and their rotation to a new key.

Each encrypted value is bound to its table, column and row (see
:func:`luna.security.crypto.column_context`). An encrypted column declares itself where
it is defined, with ``info={SEALED_BY: "<the row's id column>"}`` on its
``mapped_column``; :func:`encrypted_columns` finds them all in the metadata, so that
``luna secrets rotate`` covers a new one without this module knowing its domain.

:func:`rotate_all` re-encrypts, batch by batch, every value sealed under a key other than
the keyring's current one, committing each batch. It can run while the service is up
(once every replica has the new key) and, if interrupted, simply be run again. A value
changed by the service meanwhile is never overwritten, and a value that cannot be
decrypted is reported and left exactly as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast

from sqlalchemy import Column, CursorResult, MetaData, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luna.db.base import Base
from luna.observability.logging import get_logger
from luna.security.crypto import Keyring, SecretDecryptionError, column_context

log = get_logger(__name__)

DEFAULT_BATCH_SIZE: Final = 200
# The ``info`` key by which a column says it holds secrets sealed with its row's id column.
SEALED_BY: Final = "sealed_by"


@dataclass(frozen=True)
class EncryptedColumn:
    """A column of ``table`` holding secrets sealed with the row's ``id_attribute``."""

    table: Table
    column_name: str
    id_attribute: str

    @property
    def value_column(self) -> Column[Any]:
        """The encrypted column itself."""
        return self.table.c[self.column_name]

    @property
    def id_column(self) -> Column[Any]:
        """The column whose value the encryption context names."""
        return self.table.c[self.id_attribute]

    @property
    def label(self) -> str:
        """``table.column``, as reports show it."""
        return f"{self.table.name}.{self.column_name}"

    def context(self, row_id: str) -> bytes:
        """The associated data a value of this column, in this row, is sealed with."""
        return column_context(self.table.name, self.column_name, row_id)


def encrypted_columns(metadata: MetaData) -> tuple[EncryptedColumn, ...]:
    """Every column of ``metadata`` that declares itself encrypted, by table and column name."""
    found = (
        EncryptedColumn(table, column.name, column.info[SEALED_BY])
        for table in metadata.tables.values()
        for column in table.columns
        if SEALED_BY in column.info
    )
    return tuple(sorted(found, key=lambda column: column.label))


@dataclass(frozen=True)
class UnreadableValue:
    """A stored value that no key of the keyring opens, and why (never the value)."""

    row_id: str
    reason: str


@dataclass
class ColumnRotation:
    """What rotation did (or, in a dry run, would do) to one column.

    ``changed_meanwhile`` counts values the service rewrote between read and write;
    they were left alone, and the service sealed them under its own current key.
    """

    column: str
    rotated: int = 0
    already_current: int = 0
    changed_meanwhile: int = 0
    unreadable: list[UnreadableValue] = field(default_factory=list)


@dataclass
class RotationReport:
    """The outcome of :func:`rotate_all`, column by column."""

    dry_run: bool
    columns: list[ColumnRotation] = field(default_factory=list)

    @property
    def rotated(self) -> int:
        """Values re-encrypted (or to be, in a dry run) in every column."""
        return sum(column.rotated for column in self.columns)

    @property
    def unreadable(self) -> int:
        """Values no key opens, in every column."""
        return sum(len(column.unreadable) for column in self.columns)


@dataclass(frozen=True)
class RotationProgress:
    """How far rotation has gone through one column."""

    column: str
    done: int
    total: int


ProgressCallback = Callable[[RotationProgress], None]


async def rotate_all(
    session: AsyncSession,
    keyring: Keyring,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
    dry_run: bool = False,
    columns: Sequence[EncryptedColumn] | None = None,
) -> RotationReport:
    """Re-encrypt every value of ``columns`` not sealed under ``keyring.current``; by
    default every encrypted column of the tables defined so far (the whole schema once
    :mod:`luna.models` is imported, as the CLI does).

    Each batch of ``batch_size`` rows is committed on its own. ``progress`` is called
    after each batch. ``dry_run`` counts what would change and writes nothing.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = RotationReport(dry_run=dry_run)
    for column in encrypted_columns(Base.metadata) if columns is None else columns:
        rotation = await _rotate_column(
            session, keyring, column, batch_size=batch_size, progress=progress, dry_run=dry_run
        )
        report.columns.append(rotation)
        log.info(
            "secrets rotated" if not dry_run else "secrets rotation planned",
            column=column.label,
            rotated=rotation.rotated,
            already_current=rotation.already_current,
            changed_meanwhile=rotation.changed_meanwhile,
            unreadable=len(rotation.unreadable),
        )
    return report


async def _rotate_column(
    session: AsyncSession,
    keyring: Keyring,
    column: EncryptedColumn,
    *,
    batch_size: int,
    progress: ProgressCallback | None,
    dry_run: bool,
) -> ColumnRotation:
    rotation = ColumnRotation(column.label)
    total = await _count_values(session, column)
    done, after = 0, None
    while rows := await _next_batch(session, column, after=after, limit=batch_size):
        replacements = _replacements(keyring, column, rows, rotation)
        if dry_run:
            rotation.rotated += len(replacements)
            await session.rollback()  # end the read transaction between batches
        else:
            await _write(session, column, replacements, rotation)
            await session.commit()
        done, after = done + len(rows), rows[-1][0]
        if progress is not None:
            progress(RotationProgress(column.label, done, max(total, done)))
    return rotation


async def _count_values(session: AsyncSession, column: EncryptedColumn) -> int:
    statement = (
        select(func.count()).select_from(column.table).where(column.value_column.is_not(None))
    )
    return int(await session.scalar(statement) or 0)


async def _next_batch(
    session: AsyncSession, column: EncryptedColumn, *, after: str | None, limit: int
) -> list[tuple[str, str]]:
    statement = select(column.id_column, column.value_column).where(
        column.value_column.is_not(None)
    )
    if after is not None:
        statement = statement.where(column.id_column > after)
    rows = await session.execute(statement.order_by(column.id_column).limit(limit))
    return [(str(row_id), str(token)) for row_id, token in rows]


def _replacements(
    keyring: Keyring,
    column: EncryptedColumn,
    rows: list[tuple[str, str]],
    rotation: ColumnRotation,
) -> list[tuple[str, str, str]]:
    """``(row id, old token, new token)`` for each row to re-encrypt; counts the rest."""
    replacements = []
    for row_id, token in rows:
        context = column.context(row_id)
        try:
            if keyring.needs_rotation(token):
                replacements.append((row_id, token, keyring.rotate(token, context=context)))
            else:
                keyring.decrypt(token, context=context)  # current, and readable
                rotation.already_current += 1
        except SecretDecryptionError as exc:
            rotation.unreadable.append(UnreadableValue(row_id, exc.reason))
    return replacements


def _preserved_columns(table: Table) -> dict[str, Column[Any]]:
    # Re-encryption is not an edit: timestamps that track edits keep their value.
    return {column.key: column for column in table.columns if column.onupdate is not None}


async def _write(
    session: AsyncSession,
    column: EncryptedColumn,
    replacements: list[tuple[str, str, str]],
    rotation: ColumnRotation,
) -> None:
    preserved = _preserved_columns(column.table)
    for row_id, old_token, new_token in replacements:
        statement = (
            update(column.table)
            .where(column.id_column == row_id, column.value_column == old_token)
            .values({column.value_column.key: new_token, **preserved})
        )
        result = cast(CursorResult[Any], await session.execute(statement))
        if result.rowcount == 1:
            rotation.rotated += 1
        else:
            rotation.changed_meanwhile += 1
