"""Replay past finishers through the live projection, checkpoint by checkpoint, and score
it against plain average pace: the figures `flask projection evaluate` prints."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from ..domain.course import CheckpointMark, Course
from ..domain.finish_model import FinishModel
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
    """Per judged checkpoint: baseline and tracker MAE, P90 and bias (projected − actual),
    the tracker's 80 % range coverage and mean width, and the Brier score of its chance of
    finishing under `target_s` beside that of average pace (certain of the target if the
    average-pace finish is under it), with a reliability table. Every projection is
    `project(...)`, as the live server's."""
    course = results_course(target_s)
    collected: dict[str, dict[str, list[float]]] = {
        code: {
            key: []
            for key in ("baseline", "tracker", "inside", "width", "chance", "implied", "under")
        }
        for code in judged
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
    return {
        code: _checkpoint_report({key: np.array(values) for key, values in cell.items()})
        for code, cell in collected.items()
        if cell["tracker"]
    }


def _checkpoint_report(cell: dict[str, np.ndarray]) -> dict:
    """One checkpoint's figures from the errors, range hits and chances collected there."""
    baseline = _errors_summary(cell["baseline"])
    tracker = _errors_summary(cell["tracker"])
    tracker["mae_ratio"] = round(tracker["mae_s"] / baseline["mae_s"], 3)
    tracker["p90_ratio"] = round(tracker["p90_s"] / baseline["p90_s"], 3)
    tracker["coverage_80"] = round(float(np.mean(cell["inside"])), 3)
    tracker["range_width_s"] = round(float(np.mean(cell["width"])), 1)
    chance, under = cell["chance"], cell["under"]
    tracker["brier"] = round(float(np.mean((chance - under) ** 2)), 4)
    # Average pace's chance: certain whenever its projection is under the target.
    baseline["brier"] = round(float(np.mean((cell["implied"] - under) ** 2)), 4)
    return {
        "runners": len(cell["tracker"]),
        "baseline": baseline,
        "tracker": tracker,
        "reliability": reliability(chance, under),
    }


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
    """The report as a Markdown table (the README's tables are this output)."""
    lines = [
        f"{title}",
        "",
        "| checkpoint | runners | baseline MAE / P90 / bias | tracker MAE / P90 / bias "
        "| MAE ratio | 80% range coverage (width) | Brier (average pace) |",
        "|---|---|---|---|---|---|---|",
    ]
    for code, row in report.items():
        b, t = row["baseline"], row["tracker"]
        lines.append(
            f"| {code} | {row['runners']:,} "
            f"| {b['mae_s']:,.0f} / {b['p90_s']:,.0f} / {b['bias_s']:+,.0f} "
            f"| {t['mae_s']:,.0f} / {t['p90_s']:,.0f} / {t['bias_s']:+,.0f} "
            f"| {t['mae_ratio']:.2f} | {t['coverage_80']:.0%} ({t['range_width_s']:,.0f} s) "
            f"| {t['brier']:.3f} ({b['brier']:.3f}) |"
        )
    return "\n".join(lines)
