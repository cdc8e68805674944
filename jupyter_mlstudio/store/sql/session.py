"""The one place where database sessions open, commit, roll back and fail.

Every store method runs inside :func:`session_scope`: one transaction that commits
fully or not at all, with database errors turned into the studio's errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session

from ...exceptions import ConflictError, StoreUnavailableError, StudioError
from .engine import WRITE_OPTION


@contextmanager
def session_scope(
    engine: Engine, *, write: bool = False, conflict: str | None = None
) -> Iterator[Session]:
    """Open a session in one transaction; commit on success, roll back on any error.

    ``write`` starts SQLite's transaction with ``BEGIN IMMEDIATE`` (writers queue on the
    database lock). ``conflict`` is the message of the ``ConflictError`` raised when a
    unique or foreign-key constraint fails (a name taken, a row still in use).
    """
    try:
        with Session(engine, expire_on_commit=False, autoflush=True) as session:
            if write:
                session.connection(execution_options={WRITE_OPTION: True})
            yield session
            session.commit()
    except StudioError:
        raise
    except IntegrityError as exc:
        if _is_constraint_conflict(exc):
            raise ConflictError(conflict or "The resource exists already or is in use") from exc
        raise StudioError(f"Database integrity error: {exc.orig}") from exc
    except (OperationalError, InterfaceError) as exc:
        raise StoreUnavailableError(f"The metadata database is unavailable: {exc.orig}") from exc
    except DBAPIError as exc:
        raise StudioError(f"Database error: {exc.orig}") from exc
    except SQLAlchemyError as exc:
        raise StudioError(f"Database error: {exc}") from exc


def _is_constraint_conflict(exc: IntegrityError) -> bool:
    text = str(exc.orig).lower()
    return any(
        word in text for word in ("unique", "duplicate key", "foreign key", "violates foreign")
    )
