"""Run the app under gunicorn through its Python API (`python -m service serve`)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from service import create_app


class GunicornApp(BaseApplication):
    """A gunicorn application serving an already configured Flask app."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def _post_fork(_server: Any, _worker: Any, app: Flask) -> None:
    # Connections opened in the master (migrations, preload) must not be shared with workers.
    app.extensions["quotes_db"].engine.dispose(close=False)


def run_gunicorn(host: str, port: int, workers: int | None = None) -> None:
    """Build the app once (schema migrated, model preloaded if configured), then fork workers."""
    app = create_app()
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or app.config["WORKERS"],
        "worker_class": "sync",
        "timeout": app.config["WORKER_TIMEOUT"],
        "accesslog": "-",
        "errorlog": "-",
        # Unlimited here: the app answers over-long URLs itself, with JSON (MAX_URL_LENGTH).
        "limit_request_line": 0,
        # One machine runs several servers (tests, benchmarks): no shared control socket.
        "control_socket_disable": True,
        "post_fork": lambda server, worker: _post_fork(server, worker, app),
    }
    GunicornApp(app, options).run()
