"""Leave one race-year out: fit on every other race-year (or only the same course's), score
on the one left out, for each in turn: the README's held-out tables."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence

from ..domain.finish_model import FinishModel
from ..progress import Steps, quietly
from .evaluation import JUDGED, evaluate
from .fitting import FitCache, elite_drift, elite_spread, fit_model
from .results_file import CHECKPOINTS, FINISH_KM, Finisher

# Where the summary table shows MAE (PROJECTION.md §1 judges half-way, 30 km and 35 km).
HEADLINE = ("HALF", "30K", "35K")


def leave_one_out(
    finishers: Sequence[Finisher],
    *,
    target_s: float,
    elite_sigma_per_sqrt_km: float,
    elite_pace_drift_per_km: float,
    same_course: bool = False,
    min_runners: int = 500,
    steps: Steps = quietly,
) -> list[dict]:
    """For each race-year with `min_runners` finishers: the model fitted on the others (with
    `same_course`, only the other years of its own race) scored on it by `evaluate`."""
    groups: dict[tuple[str, str], list[Finisher]] = defaultdict(list)
    for finisher in finishers:
        groups[finisher.group].append(finisher)
    cache = FitCache()
    results = []
    for held_out in steps(sorted(groups)):
        training = [
            name
            for name in sorted(groups)
            if name != held_out and (not same_course or name[0] == held_out[0])
        ]
        fitted_on = [f for name in training for f in groups[name]]
        if len(groups[held_out]) < min_runners or len(fitted_on) < 1000:
            continue
        source = f"{', '.join(' '.join(name) for name in training)}: {len(fitted_on):,} finishers"
        model = fit_model(
            fitted_on,
            source=source,
            elite_sigma_per_sqrt_km=elite_sigma_per_sqrt_km,
            elite_pace_drift_per_km=elite_pace_drift_per_km,
            cache=cache,
        )
        report = evaluate(groups[held_out], model, target_s=target_s)
        results.append({"held_out": " ".join(held_out), "fitted_on": source, "report": report})
    return results


def format_summary(results: list[dict], *, title: str) -> str:
    """Markdown: per held-out race-year, MAE average pace → tracker (ratio) at half-way,
    30 and 35 km; the 80 % range's coverage at every judged checkpoint; Brier at 30 km."""
    lines = [
        title,
        "",
        "| held out | finishers | "
        + " | ".join(HEADLINE)
        + " | coverage "
        + " / ".join(JUDGED)
        + " | Brier 30K (average pace) |",
        "|---|---|" + "---|" * len(HEADLINE) + "---|---|",
    ]
    for row in results:
        report = row["report"]
        cells = []
        for code in HEADLINE:
            b, t = report[code]["baseline"], report[code]["tracker"]
            cells.append(f"{b['mae_s']:,.0f} → {t['mae_s']:,.0f} ({t['mae_ratio']:.2f})")
        coverage = " / ".join(f"{report[code]['tracker']['coverage_80']:.0%}" for code in JUDGED)
        at_30k = report["30K"]
        lines.append(
            f"| {row['held_out']} | {at_30k['runners']:,} | "
            + " | ".join(cells)
            + f" | {coverage} | {at_30k['tracker']['brier']:.3f} "
            f"({at_30k['baseline']['brier']:.3f}) |"
        )
    return "\n".join(lines)


def records_left_out(
    races: dict[str, dict[float, float]], model: FinishModel, *, target_s: float
) -> dict[str, dict]:
    """Each record race scored by `model` with its elite band (drift and wander) measured on
    the other record races only; per checkpoint, the races' figures side by side."""
    scored: dict[str, dict] = {}
    for name, splits in races.items():
        others = {other: rest for other, rest in races.items() if other != name}
        banded = dataclasses.replace(
            model,
            elite_sigma_per_sqrt_km=elite_spread(others),
            elite_pace_drift_per_km=elite_drift(others),
        )
        timed = tuple((code, km, splits[km]) for _, code, km in CHECKPOINTS if km in splits)
        finisher = Finisher(name, "", timed, splits[FINISH_KM])
        for code, row in evaluate([finisher], banded, target_s=target_s).items():
            scored.setdefault(code, {})[name] = row
    return scored


def format_records(scored: dict[str, dict], *, title: str) -> str:
    """Markdown: per checkpoint, MAE average pace → tracker, how many of the races fell inside
    the 80 % range, and the range's mean width."""
    lines = [
        title,
        "",
        "| checkpoint | races | MAE average pace → tracker | inside the 80% range | mean width |",
        "|---|---|---|---|---|",
    ]
    for code, rows in scored.items():
        runs = list(rows.values())
        baseline = sum(row["baseline"]["mae_s"] for row in runs) / len(runs)
        tracker = sum(row["tracker"]["mae_s"] for row in runs) / len(runs)
        inside = sum(round(row["tracker"]["coverage_80"]) for row in runs)
        width = sum(row["tracker"]["range_width_s"] for row in runs) / len(runs)
        lines.append(
            f"| {code} | {len(runs)} | {baseline:,.0f} → {tracker:,.0f} "
            f"| {inside} of {len(runs)} | {width:,.0f} s |"
        )
    return "\n".join(lines)
