"""The shell around the pure core: load from the session, let the domain decide, apply.

Service functions take a SQLAlchemy session and never commit; the entry point that
calls them (API view, socket handler, CLI command, timing listener) owns the transaction.
"""
