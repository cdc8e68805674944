"""The one place where database sessions open, commit, roll back and fail.

Every store method runs inside :func:`session_scope`: one transaction that commits
fully or not at all, with database errors turned into the studio's errors. Their
messages are short and never carry the SQL statement, its parameters or the database's
own report: those go to the log (``jupyter_mlstudio.store.sql.session``), because error
messages reach clients.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session

from ...exceptions import ConflictError, StoreUnavailableError, StudioError
from .engine import WRITE_OPTION

log = logging.getLogger(__name__)


@contextmanager
def session_scope(
    engine: Engine, *, write: bool = False, conflict: ConflictError | None = None
) -> Iterator[Session]:
    """Open a session in one transaction; commit on success, roll back on any error.

    Args:
        engine: the store's engine.
        write: start SQLite's transaction with ``BEGIN IMMEDIATE`` (writers queue on
            the database lock).
        conflict: the error raised when a unique or foreign-key constraint fails (a
            name taken, a row still in use); a generic ``ConflictError`` when None.

    Raises:
        ConflictError: a constraint failed.
        StoreUnavailableError: the database cannot be reached or is busy.
        StudioError: any other database error (details in the log only).
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
            raise (conflict or ConflictError("The resource exists already or is in use")) from exc
        log.error("integrity error in the metadata database", exc_info=True)
        raise StudioError("The metadata database refused the change") from exc
    except (OperationalError, InterfaceError) as exc:
        log.warning("the metadata database is unavailable", exc_info=True)
        reason = str(exc.orig).strip().splitlines()[:1] or [type(exc.orig).__name__]
        raise StoreUnavailableError(
            f"The metadata database is unavailable: {reason[0][:200]}"
        ) from exc
    except SQLAlchemyError as exc:
        log.error("metadata database error", exc_info=True)
        raise StudioError("Error in the metadata database; the server log has the details") from exc


def _is_constraint_conflict(exc: IntegrityError) -> bool:
    text = str(exc.orig).lower()
    return any(
        word in text for word in ("unique", "duplicate key", "foreign key", "violates foreign")
    )
