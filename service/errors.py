"""One JSON error shape for every failure: ``{code, status, message, errors?}``.

Views raise `ApiError` subclasses (domain errors) or let werkzeug raise `HTTPException`s
(404 routing, 405, 413, webargs' 422); database errors are mapped without leaking SQL; anything
else becomes a JSON 500. No HTML error page is ever returned.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A domain error with an HTTP status; ``errors`` optionally keyed by field or location."""

    code = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


class BadRequest(ApiError):
    code = 400


class Unauthorized(ApiError):
    code = 401


class NotFound(ApiError):
    code = 404


class Conflict(ApiError):
    code = 409


class Unprocessable(ApiError):
    code = 422


class ServiceUnavailable(ApiError):
    code = 503


def error_response(
    code: int, message: str, errors: Any = None, headers: dict[str, str] | None = None
) -> Response:
    """The JSON error response for status ``code``."""
    payload: dict[str, Any] = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        payload["errors"] = errors
    response = jsonify(payload)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _handle_http(error: HTTPException) -> BaseResponse:
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    message = data.get("message") or error.description or HTTPStatus(code).phrase
    if code == 422 and errors and "message" not in data:
        message = "The request was well-formed but has invalid values."
    if code == 429:
        # Flask-Limiter's description is the limit ("30 per 1 minute"); Retry-After is its header.
        message = f"Rate limit exceeded ({error.description}); retry after the Retry-After seconds."
    headers = dict(data.get("headers") or {})
    if code == 405 and error.get_response().headers.get("Allow"):
        headers["Allow"] = error.get_response().headers["Allow"]
    if code == 304:
        return error.get_response()
    return error_response(code, message, errors, headers)


def _handle_api_error(error: ApiError) -> Response:
    return error_response(error.code, error.message, error.errors)


def _handle_integrity(error: IntegrityError) -> Response:
    log.warning("integrity error: %s", error.orig)
    return error_response(409, "The request conflicts with stored data.")


def _handle_db(error: SQLAlchemyError) -> Response:
    log.exception("database error")
    if isinstance(error, OperationalError):
        return error_response(503, "The database is not available; try again later.")
    return error_response(500, "A database error occurred.")


def _handle_any(error: Exception) -> BaseResponse:
    if isinstance(error, HTTPException):
        return _handle_http(error)
    log.exception("unhandled error")
    return error_response(500, "An internal error occurred.")


def register_error_handlers(app: Flask) -> None:
    """Install the JSON handlers (after flask-smorest's, so these win)."""
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(IntegrityError, _handle_integrity)
    app.register_error_handler(SQLAlchemyError, _handle_db)
    app.register_error_handler(Exception, _handle_any)
