"""Imports every domain's tables so that ``Base.metadata`` knows the whole schema.

Alembic's autogenerate and the drift check read the metadata after importing this
module; each domain adds its ``models`` module here when it gains tables.
"""

from luna.db.base import Base

__all__ = ["Base"]
