"""The pure core: pace arithmetic, target schedules, projection and split checks.

Nothing in this package imports Flask, SQLAlchemy or any other framework; a test walks
its imports to keep it that way.
"""
