"""The pure core: the rules of the race as plain functions and values.

Pace arithmetic, target schedules, the race clock, projection and finish models, split
checks, read scoring, mat health, who is in a race's summary, roles, and the `Refusal` a
rule gives when it says no. Functions take what they need (including `now`) and return
decisions; they never read configuration or the clock.

May import: the standard library and its own modules, nothing else (no Flask, no
SQLAlchemy); tests/test_domain_purity.py walks every file to keep it so.
"""
