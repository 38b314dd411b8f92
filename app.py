"""Entry point for gunicorn (`gunicorn -c gunicorn.conf.py app:app`) and the `flask` CLI."""

from tracker import create_app

app = create_app()
