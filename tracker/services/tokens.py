"""Bearer tokens: created once and shown once, stored as a SHA-256 hash, revoked by name."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.refusals import Refusal
from ..domain.roles import ROLES
from ..domain.scoring import SCORER
from ..models import ApiToken
from . import audit

TOKEN_PREFIX = "trk_"
# A read's device is api@<token name>, stored in 64 characters.
MAX_NAME = 60


def hash_token(token: str) -> str:
    """The stored form of a token. A plain hash is enough: tokens are 256 random bits."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, *, name: str, role: str) -> str:
    """A new token for `name` with `role`; the caller shows it once, we keep only its hash."""
    if role not in ROLES:
        raise Refusal("validation_error", f"The role must be one of {', '.join(ROLES)}.")
    if name == SCORER or not 1 <= len(name) <= MAX_NAME:
        # The scorer signs the mats' own changes; a device is named api@<token name>.
        raise Refusal(
            "validation_error",
            f"Name a token with 1 to {MAX_NAME} characters, other than {SCORER!r}.",
            field="name",
        )
    live = session.scalar(
        select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
    )
    if live is not None:
        raise Refusal("token_exists", f"A live token is named {name!r}; revoke it first.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, role=role, token_hash=hash_token(token)))
    audit.record(session, "token.create", subject=name, after={"role": role})
    session.flush()
    return token


def revoke_token(session: Session, *, name: str, now: datetime) -> ApiToken:
    """Revoke the live token called `name`."""
    token = session.scalar(
        select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
    )
    if token is None:
        raise Refusal("unknown_token", f"No live token is named {name!r}.")
    token.revoked_at = now
    audit.record(session, "token.revoke", subject=name, before={"role": token.role})
    session.flush()
    return token


def token_for(session: Session, presented: str) -> ApiToken | None:
    """The live token matching what a client presented, if any."""
    return session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(presented), ApiToken.revoked_at.is_(None)
        )
    )


def live_token(session: Session, token_id: int) -> ApiToken | None:
    """The token with this id, while it is not revoked."""
    token = session.get(ApiToken, token_id)
    return token if token is not None and token.revoked_at is None else None


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token ever made, oldest first (the hashes, never the tokens)."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.created_at)))
