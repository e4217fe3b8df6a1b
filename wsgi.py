"""WSGI entry point: `gunicorn wsgi:app` (or `python -m service serve`)."""

from service import create_app

app = create_app()
