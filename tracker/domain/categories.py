"""Categories: gender and age group, by the race's rule or as the results service gave it.

A race's rule is the lower bounds of its age groups; an athlete is in the highest group
whose bound their age reaches, named by gender and bound (M40 is men from 40 to the next
bound), and below the first bound in the juniors' group (MU18).
"""

from __future__ import annotations

GENDERS = ("M", "F", "X")
# Berlin's and most big-city marathons' groups: an open class from 18, then five-year
# masters' groups from 30 to 80.
DEFAULT_AGE_GROUPS = (18, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80)


def age_in(race_year: int, birth_year: int | None) -> int | None:
    """Age in the race's year (results services count a birth year that way).

    >>> age_in(2026, 1985)
    41
    """
    return None if birth_year is None else race_year - birth_year


def category_for(gender: str | None, age: int | None, bounds=DEFAULT_AGE_GROUPS) -> str | None:
    """The age group of a gender and age under a race's rule (None without both).

    >>> category_for("M", 43), category_for("F", 45), category_for("F", 29), category_for("M", 16)
    ('M40', 'F45', 'F18', 'MU18')
    """
    if gender is None or age is None or not bounds:
        return None
    ordered = sorted(bounds)
    reached = [bound for bound in ordered if age >= bound]
    return f"{gender}{reached[-1]}" if reached else f"{gender}U{ordered[0]}"
