"""Replay past finishers through the live projection, checkpoint by checkpoint, and score
it against plain average pace: the figures `flask projection evaluate` prints."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from ..domain.course import CheckpointMark, Course
from ..domain.finish_model import FinishModel, average_pace_estimate
from ..domain.projection import Passing, Projection, average_pace_finish, project
from ..progress import Steps, quietly
from .results_file import CHECKPOINTS, FINISH_KM, Finisher

# Where the projection is judged (PROJECTION.md §1).
JUDGED = ("10K", "HALF", "25K", "30K", "35K", "40K")


def results_course(target_s: float) -> Course:
    """The marathon of the results schema, with every timing point as a checkpoint."""
    marks = tuple(CheckpointMark(code, km * 1000) for _, code, km in CHECKPOINTS)
    return Course(FINISH_KM * 1000, target_s, (*marks, CheckpointMark("FINISH", FINISH_KM * 1000)))


def _errors_summary(errors: np.ndarray) -> dict:
    absolute = np.abs(errors)
    return {
        "mae_s": round(float(absolute.mean()), 1),
        "p90_s": round(float(np.quantile(absolute, 0.9)), 1),
        "bias_s": round(float(errors.mean()), 1),
    }


def replay(
    course: Course, model: FinishModel | None, finisher: Finisher
) -> Iterator[tuple[str, Projection, float]]:
    """The finisher as if live: after each split, its code, the tracker's projection and
    the average-pace baseline's finish."""
    passings = []
    for code, km, elapsed in finisher.splits:
        passings.append(Passing(code, km * 1000, elapsed))
        yield code, project(course, passings, model=model), average_pace_finish(course, passings)


def evaluate(
    finishers: Sequence[Finisher],
    model: FinishModel | None,
    *,
    target_s: float,
    judged: Sequence[str] = JUDGED,
    steps: Steps = quietly,
) -> dict:
    """Per judged checkpoint, for average pace and for the tracker: MAE, P90 and bias
    (projected − actual), 80 % range coverage and mean width (average pace's range is its
    spread in the model's training data), and the Brier score of the chance of finishing
    under `target_s` (average pace's chance is certain when its finish is under the target),
    each with a reliability table. Every projection is `project(...)`, as the live server's."""
    course = results_course(target_s)
    course_km = course.distance_m / 1000
    keys = ("baseline", "tracker", "inside", "width", "chance", "implied", "under")
    collected: dict[str, dict[str, list[float]]] = {
        code: {key: [] for key in (*keys, "baseline_inside", "baseline_width")} for code in judged
    }
    for finisher in steps(finishers):
        actual = finisher.finish_s
        for code, projection, baseline in replay(course, model, finisher):
            if code not in collected:
                continue
            cell = collected[code]
            cell["baseline"].append(baseline - actual)
            cell["tracker"].append(projection.projected_finish_s - actual)
            cell["inside"].append(
                float(projection.projected_low_s <= actual <= projection.projected_high_s)
            )
            cell["width"].append(projection.projected_high_s - projection.projected_low_s)
            cell["chance"].append(projection.probability_under_target)
            cell["implied"].append(float(baseline < target_s))
            cell["under"].append(float(actual < target_s))
            spread = average_pace_estimate(
                model, course_km, projection.distance_m / 1000, projection.last_elapsed_s
            )
            cell["baseline_inside"].append(float(spread.low_s <= actual <= spread.high_s))
            cell["baseline_width"].append(spread.high_s - spread.low_s)
    return {
        code: _checkpoint_report({key: np.array(values) for key, values in cell.items()})
        for code, cell in collected.items()
        if cell["tracker"]
    }


def _checkpoint_report(cell: dict[str, np.ndarray]) -> dict:
    """One checkpoint's figures from the errors, range hits and chances collected there."""
    baseline = _errors_summary(cell["baseline"])
    tracker = _errors_summary(cell["tracker"])
    tracker["mae_ratio"] = _ratio(tracker["mae_s"], baseline["mae_s"])
    tracker["p90_ratio"] = _ratio(tracker["p90_s"], baseline["p90_s"])
    for figures, inside, width in (
        (tracker, cell["inside"], cell["width"]),
        (baseline, cell["baseline_inside"], cell["baseline_width"]),
    ):
        figures["coverage_80"] = round(float(np.mean(inside)), 3)
        figures["range_width_s"] = round(float(np.mean(width)), 1)
    chance, under = cell["chance"], cell["under"]
    tracker["brier"] = round(float(np.mean((chance - under) ** 2)), 4)
    # Average pace's chance: certain whenever its projection is under the target.
    baseline["brier"] = round(float(np.mean((cell["implied"] - under) ** 2)), 4)
    tracker["brier_ratio"] = _ratio(tracker["brier"], baseline["brier"])
    return {
        "runners": len(cell["tracker"]),
        "baseline": baseline,
        "tracker": tracker,
        "reliability": reliability(chance, under),
        "baseline_reliability": reliability(cell["implied"], under),
    }


def _ratio(tracker: float, baseline: float) -> float | None:
    """Tracker ÷ average pace, or None where average pace made no error at all."""
    return round(tracker / baseline, 3) if baseline else None


def reliability(chance: np.ndarray, under: np.ndarray, bins: int = 10) -> list[dict]:
    """The reliability diagram's points: per tenth of the predicted chance, how many
    runners, their mean predicted chance and the share that did finish under the target."""
    index = np.minimum((chance * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        inside = index == b
        if inside.any():
            rows.append(
                {
                    "chance": f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
                    "runners": int(inside.sum()),
                    "predicted": round(float(chance[inside].mean()), 3),
                    "observed": round(float(under[inside].mean()), 3),
                }
            )
    return rows


def format_report(report: dict, *, title: str) -> str:
    """The report as Markdown (the README's tables are this output): per checkpoint average
    pace → tracker (ratio) for each figure, then the tracker's reliability table."""
    lines = [
        f"{title}",
        "",
        "| checkpoint | runners | MAE | P90 | bias | 80% range coverage (width) | Brier |",
        "|---|---|---|---|---|---|---|",
    ]
    for code, row in report.items():
        b, t = row["baseline"], row["tracker"]
        lines.append(
            f"| {code} | {row['runners']:,} "
            f"| {_pair(b['mae_s'], t['mae_s'], t['mae_ratio'], ',.0f')} "
            f"| {_pair(b['p90_s'], t['p90_s'], t['p90_ratio'], ',.0f')} "
            f"| {b['bias_s']:+,.0f} → {t['bias_s']:+,.0f} "
            f"| {b['coverage_80']:.0%} ({b['range_width_s']:,.0f} s) → "
            f"{t['coverage_80']:.0%} ({t['range_width_s']:,.0f} s) "
            f"| {_pair(b['brier'], t['brier'], t['brier_ratio'], '.3f')} |"
        )
    lines += ["", format_reliability(report)]
    return "\n".join(lines)


def _pair(baseline: float, tracker: float, ratio: float | None, spec: str) -> str:
    shown = "–" if ratio is None else f"{ratio:.2f}"
    return f"{baseline:{spec}} → {tracker:{spec}} ({shown})"


def format_reliability(report: dict) -> str:
    """The tracker's reliability diagram as a table: per tenth of the predicted chance of the
    target (rows) and checkpoint (columns), mean chance said → share that made it (runners)."""
    codes = list(report)
    bins = sorted({point["chance"] for row in report.values() for point in row["reliability"]})
    lines = [
        "Chance of the target said → share that made it (runners):",
        "",
        "| chance | " + " | ".join(codes) + " |",
        "|---|" + "---|" * len(codes),
    ]
    for band in bins:
        cells = []
        for code in codes:
            point = next((p for p in report[code]["reliability"] if p["chance"] == band), None)
            cells.append(
                ""
                if point is None
                else f"{point['predicted']:.0%} → {point['observed']:.0%} ({point['runners']:,})"
            )
        lines.append(f"| {band} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
