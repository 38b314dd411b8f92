"""Server-rendered pages."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from sqlalchemy import select

from .db import db
from .models import Race

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """The list of races, with links to follow each."""
    races = db.session.scalars(select(Race).order_by(Race.created_at.desc(), Race.id.desc()))
    return render_template("index.html", races=list(races))


def init_app(app: Flask) -> None:
    """Register the pages."""
    app.register_blueprint(bp)
