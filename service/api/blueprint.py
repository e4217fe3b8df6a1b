"""The API's flask-smorest `Blueprint`: request bodies parsed by `SafeJSONParser`, argument
schemas instantiated once.

Every resource module builds its blueprint from this class, so that no JSON body, whatever its
shape, can turn into a 500: webargs handles only ``JSONDecodeError``, while Python's JSON decoder
also raises ``RecursionError`` (arrays nested ~1,000 deep) and ``ValueError`` (an integer of more
than 4,300 digits, `sys.set_int_max_str_digits`). Both are a 400 "Invalid JSON body." here.
"""

from __future__ import annotations

import json
from typing import Any

import flask
import flask_smorest
from webargs.flaskparser import FlaskParser


class SafeJSONParser(FlaskParser):
    """`FlaskParser` whose JSON loading turns every decoding failure into webargs' 400."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise  # webargs' own handling (an empty body is "missing")
        except (ValueError, RecursionError) as exc:
            doc = exc.__class__.__name__
            self._handle_invalid_json_error(json.JSONDecodeError(str(exc)[:200], doc, 0), req)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's `Blueprint` with `SafeJSONParser` for ``@blp.arguments``."""

    ARGUMENTS_PARSER = SafeJSONParser()

    def arguments(self, schema: Any, **kwargs: Any) -> Any:
        """flask-smorest's ``arguments`` with a schema instance made here, once: given a class,
        webargs builds an instance (deep-copying every field) for each request."""
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, **kwargs)
