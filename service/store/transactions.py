"""Write transactions with retries: a transaction that loses a race (unique constraint, lock
timeout) is run again from the start and then finds the other's rows."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_ATTEMPTS = 6


def run_with_retry(session_factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run ``work(session)`` in one write transaction, retrying lost races and lock timeouts."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        session = session_factory()
        try:
            with session.begin():
                return work(session)
        except (IntegrityError, OperationalError) as exc:
            if attempt == MAX_ATTEMPTS:
                raise
            log.info("retrying after %s (attempt %d)", type(exc.orig).__name__ if exc.orig else exc, attempt)
            time.sleep(0.05 * attempt)
        finally:
            session.close()
    raise RuntimeError("unreachable")
