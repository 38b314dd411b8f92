"""Server-rendered pages: spectators, commentators, the broadcast overlay, officials."""

from __future__ import annotations

import json
from importlib.resources import files

from flask import Blueprint, Flask, abort, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import InputRequired

from .access import Caller, log_in, log_out, may, session_caller
from .db import db
from .domain.audit import Actor
from .domain.refusals import Refusal
from .domain.roles import OFFICIALS
from .limits import refuse_credential, retry_after, wrong_credentials
from .models import Race
from .services import audit
from .services.races import find_athlete, find_race, list_races
from .services.tokens import token_for
from .transactions import write

bp = Blueprint("pages", __name__)

# No inline script or style anywhere; the overlay alone may be framed (OBS, vMix).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors {ancestors}"
)


class LoginForm(FlaskForm):
    token = PasswordField("Token", validators=[InputRequired()])


def _race_or_404(slug: str) -> Race:
    try:
        return find_race(db.session, slug)
    except Refusal:
        abort(404)


@bp.get("/")
def index():
    """The list of races."""
    return render_template("index.html", races=list_races(db.session))


@bp.get("/races/<slug>")
def spectator(slug: str):
    """Follow a race: clock, followed athletes, projections, ETAs, pace chart."""
    return render_template("spectator.html", race=_race_or_404(slug), bib=None)


@bp.get("/races/<slug>/athletes/<bib>")
def athlete(slug: str, bib: str):
    """Follow one athlete (an unknown bib is 404, not a page waiting forever)."""
    race = _race_or_404(slug)
    try:
        find_athlete(db.session, race, bib)
    except Refusal:
        abort(404)
    return render_template("spectator.html", race=race, bib=bib)


@bp.get("/races/<slug>/results")
def results(slug: str):
    """Results at a checkpoint, by gender or category, paged; follow an athlete from them."""
    return render_template("results.html", race=_race_or_404(slug))


@bp.get("/projection")
def projection_accuracy():
    """How far the projection was off on past races: why (and how much) to trust it."""
    published = json.loads(files("tracker.data").joinpath("projection_accuracy.json").read_text())
    checkpoints = {k: v for k, v in published.items() if isinstance(v, dict)}
    return render_template("accuracy.html", published=published, checkpoints=checkpoints)


@bp.get("/races/<slug>/commentary")
def commentary(slug: str):
    """The commentators' dashboard."""
    return render_template("commentary.html", race=_race_or_404(slug))


@bp.get("/races/<slug>/overlay")
def overlay(slug: str):
    """A transparent broadcast overlay; options in the query string."""
    return render_template("overlay.html", race=_race_or_404(slug))


@bp.get("/races/<slug>/official")
def official(slug: str):
    """The officials' console: needs an official or admin logged in."""
    race = _race_or_404(slug)
    caller = session_caller()
    if caller is None:
        return redirect(url_for("pages.login", next=request.path))
    if not may(caller, OFFICIALS):
        abort(403)
    return render_template("official.html", race=race, caller=caller)


@bp.route("/login", methods=["GET", "POST"])
@wrong_credentials
def login():
    """Officials log in with the token they were issued (`flask token create`)."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        token = token_for(db.session, form.token.data.strip())
        if token is None:
            refuse_credential()
            error = "That token is unknown or revoked."
        else:
            log_in(token.id)
            _audit_session("session.login", Caller(token.name, token.role))
            target = request.args.get("next", "")
            return redirect(target if is_local_redirect(target) else "/")
    return render_template("login.html", form=form, error=error), 401 if error else 200


def is_local_redirect(target: str) -> bool:
    r"""Whether a browser sent to `target` stays on this site, on a path of it.

    Judged as the browser will read it: it drops tabs, CR and LF anywhere and control
    characters and spaces at the ends, and reads a backslash as a slash. So a control
    character anywhere (CR and LF would also break the header), a leading space or
    backslash, or a second slash after the first (a host: `//evil.example`) is refused.

    >>> [is_local_redirect(t) for t in ("/races/x/official?tab=1", "/%2F/x", "/")]
    [True, True, True]
    >>> [is_local_redirect(t) for t in ("//evil", "/\t/evil", "/\\evil", "\\/evil", "http://evil")]
    [False, False, False, False, False]
    """
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return False
    as_read = target.replace("\\", "/")
    return as_read.startswith("/") and not as_read.startswith("//")


@bp.post("/logout")
def logout():
    """End the official's session."""
    form = FlaskForm()
    if form.validate_on_submit():
        caller = session_caller()
        log_out()
        if caller is not None:
            _audit_session("session.logout", caller)
    return redirect(url_for("pages.index"))


def _audit_session(action: str, caller: Caller) -> None:
    """A login or logout in the audit log, signed by the official, from their address."""
    actor = Actor(caller.name, caller.role, request.remote_addr)
    write(lambda: audit.record(db.session, action, subject=caller.name), actor=actor)


@bp.errorhandler(429)
def _too_many_logins(error):
    """The login page, saying why it refuses for now (the API answers problem+json)."""
    message = "Too many wrong tokens from your address. Wait a minute, then try again."
    page = render_template("login.html", form=LoginForm(), error=message)
    return page, 429, {"Retry-After": retry_after(error)}


def _security_headers(response):
    if response.mimetype == "text/html":
        ancestors = "*" if request.endpoint == "pages.overlay" else "'none'"
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.format(
            ancestors=ancestors
        )
        response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app: Flask) -> None:
    """Register the pages and the headers every response carries."""
    app.register_blueprint(bp)
    app.after_request(_security_headers)
