"""Bearer-key check for writes: required when ``API_KEYS`` is configured."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request

from service.errors import Unauthorized

F = TypeVar("F", bound=Callable[..., Any])

SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def check_api_key() -> None:
    """Raise `Unauthorized` unless the request carries one of the configured keys."""
    keys: list[str] = current_app.config["API_KEYS"]
    if not keys:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Missing bearer token: send 'Authorization: Bearer <key>'.")
    given = token.encode("utf-8", "surrogateescape")
    if not any(hmac.compare_digest(given, key.encode()) for key in keys):
        raise Unauthorized("Invalid API key.")


def require_api_key(func: F) -> F:
    """Decorate a view that writes."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check_api_key()
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
