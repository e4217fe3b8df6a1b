"""The newsroom web app at ``/`` and the CMS embed: server-rendered pages over the store's reads.

Pages (every view is a GET URL that can be shared; the one form that writes POSTs and redirects):
``/`` search, ``/speakers/<id>``, ``/statements/<id>``, ``/factcheck``, ``/articles/<id>``,
``/articles/new``. Embed: ``/embed.js``, ``/embed/statements/<id>``, ``/oembed``.
Everything (styles, scripts) is served from ``service/web/static``: no CDN, no run-time fetch.
"""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    """Register the pages and the embed on ``app``."""
    from service.web import embed, views

    app.register_blueprint(views.web)
    app.register_blueprint(embed.embed)
