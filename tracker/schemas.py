"""Request bodies and socket payloads: syntax and types checked at the edge, errors named
per field. The API, the live layer and the CLI's CSV imports share these models."""

from __future__ import annotations

import unicodedata
import uuid
import zoneinfo
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .domain.race_clock import MAX_ELAPSED_S, instant_refusal, parse_instant
from .domain.refusals import Refusal


def _clean_text(value: str) -> str:
    """Trimmed text of 1-100 characters with no control characters."""
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise PydanticCustomError("invalid_string", "Control characters are not allowed.")
    trimmed = value.strip()
    visible = [char for char in trimmed if unicodedata.category(char) not in ("Cf", "Zs")]
    if not visible:
        raise PydanticCustomError("validation_error", "Give at least one visible character.")
    if len(trimmed) > 100:
        raise PydanticCustomError("validation_error", "Keep it to 100 characters.")
    return trimmed


def _instant(value: object, info: ValidationInfo) -> datetime:
    if not isinstance(value, str):
        raise PydanticCustomError("invalid_time", "The time must be a string.")
    try:
        instant = parse_instant(value)
    except ValueError as error:
        raise PydanticCustomError(
            "invalid_time",
            "Give an ISO 8601 date and time with a UTC offset, e.g. 2019-10-12T08:15:00+02:00.",
        ) from error
    # The edge passes the window around now (`time_window` in the context) where it knows it.
    window = (info.context or {}).get("time_window")
    if window is not None:
        refusal = instant_refusal(instant, **window)
        if refusal is not None:
            raise PydanticCustomError(refusal.code, refusal.detail)
    return instant


def _time_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise PydanticCustomError(
            "validation_error", "Give an IANA time zone such as Europe/Vienna."
        ) from error
    return value


Text = Annotated[str, AfterValidator(_clean_text)]


def _uuid(value: object) -> uuid.UUID:
    if not isinstance(value, str):
        raise PydanticCustomError("validation_error", "Give a UUID as text.")
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise PydanticCustomError("validation_error", "Give a UUID as text.") from error


Instant = Annotated[
    datetime,
    PlainValidator(_instant),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
ClientId = Annotated[
    uuid.UUID, PlainValidator(_uuid), WithJsonSchema({"type": "string", "format": "uuid"})
]
TimeZone = Annotated[str, AfterValidator(_time_zone)]
Bib = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{1,16}$")]
ChipCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9:_-]{1,64}$")]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
CheckpointCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
Reason = Annotated[Text, Field(description="Why; kept in the split's history.")]
ElapsedSeconds = Annotated[float, Field(ge=0, le=MAX_ELAPSED_S, allow_inf_nan=False)]
TargetSeconds = Annotated[float, Field(gt=0, le=MAX_ELAPSED_S, allow_inf_nan=False)]
Gender = Literal["M", "F", "X"]
CategoryCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")]


class Body(BaseModel):
    """Strict types (no '12' for 12, no 1 for true) and no unknown fields."""

    model_config = ConfigDict(strict=True, extra="forbid")


class CheckpointIn(Body):
    code: CheckpointCode
    name: Text | None = None
    distance_m: Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]
    target_elapsed_s: ElapsedSeconds | None = None
    mat: CheckpointCode | None = Field(
        default=None,
        description="The mat whose reads time it, when checkpoints share one (laps of a loop).",
    )


class RaceIn(Body):
    slug: Slug
    name: Text
    distance_m: Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)] = 42195.0
    target_s: Annotated[float, Field(gt=0, le=MAX_ELAPSED_S, allow_inf_nan=False)] = 7200.0
    timezone: TimeZone = "UTC"
    pace_tolerance_s_per_km: Annotated[
        float, Field(gt=0, le=60, allow_inf_nan=False, description="Flag segments beyond it.")
    ] = 1.0
    checkpoints: list[CheckpointIn] = Field(default_factory=list, max_length=200)
    age_groups: list[Annotated[int, Field(ge=1, le=120)]] | None = Field(
        default=None,
        min_length=1,
        max_length=30,
        description="Lower bounds of the age groups (default 18, 30, 35, … 80).",
    )


PacingPlan = Annotated[
    dict[CheckpointCode, ElapsedSeconds],
    Field(
        max_length=100,
        description="The athlete's own plan: elapsed s (from their gun) per checkpoint short"
        " of the finish, whose time is target_s.",
    ),
]


class AthleteIn(Body):
    bib: Bib
    name: Text
    country: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    role: Literal["athlete", "pacer"] = "athlete"
    featured: bool = Field(
        default=False, description="An elite or target athlete: always in the summary."
    )
    chips: list[ChipCode] = Field(default_factory=list, max_length=4)
    gender: Gender | None = None
    birth_year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    age: Annotated[int, Field(ge=5, le=120)] | None = None
    category: CategoryCode | None = Field(
        default=None, description="As the results service gives it; else the race's age group."
    )
    target_s: TargetSeconds | None = Field(
        default=None, description="The athlete's own finish target; else the race's."
    )
    plan: PacingPlan | None = None
    wave: CheckpointCode | None = Field(default=None, description="The start wave's code.")

    @model_validator(mode="after")
    def _one_age(self) -> AthleteIn:
        if self.age is not None and self.birth_year is not None:
            raise PydanticCustomError("validation_error", "Give age or birth_year, not both.")
        return self


class AthletePatchIn(Body):
    """An official's change to an athlete: the status (with a reason), the own target and
    pacing plan."""

    status: Literal["registered", "started", "finished", "dns", "dnf", "dq"] | None = None
    reason: Reason | None = None
    target_s: TargetSeconds | None = None
    plan: PacingPlan | None = None

    @model_validator(mode="after")
    def _something(self) -> AthletePatchIn:
        if self.status is None and not {"target_s", "plan"} & self.model_fields_set:
            raise PydanticCustomError("validation_error", "Give a status, a target_s or a plan.")
        return self


class PublishIn(Body):
    """Publishing the results takes nothing (an empty object, or no body)."""


class WaveIn(Body):
    code: CheckpointCode
    name: Text | None = None


class _TimeOrElapsed(Body):
    time: Instant | None = None
    elapsed_s: ElapsedSeconds | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> _TimeOrElapsed:
        if (self.time is None) == (self.elapsed_s is None):
            raise PydanticCustomError(
                "validation_error", "Give either time (ISO 8601 with offset) or elapsed_s."
            )
        return self


class SplitIn(_TimeOrElapsed):
    id: ClientId | None = Field(default=None, description="Client UUID: the idempotency key.")
    bib: Bib
    checkpoint: CheckpointCode
    approximate: bool = Field(
        default=False, description="An estimated time: shown as such, kept out of paces."
    )


class CorrectionIn(_TimeOrElapsed):
    reason: Reason


GROUP_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
GroupCode = Annotated[str, Field(pattern=GROUP_CODE_PATTERN)]
CourseMetres = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]


class StintIn(Body):
    in_m: CourseMetres = Field(description="Where the group is planned to go in (m).")
    out_m: CourseMetres = Field(description="Where it is planned to hand over (m).")
    illustrative: bool = Field(
        default=False, description="A made-up changeover point (no record of it): shown so."
    )

    @model_validator(mode="after")
    def _out_after_in(self) -> StintIn:
        if self.out_m <= self.in_m:
            raise PydanticCustomError("validation_error", "out_m must come after in_m.")
        return self


class PacerGroupIn(Body):
    name: Text | None = None
    members: list[Bib] = Field(default_factory=list, max_length=50)
    plan: list[StintIn] = Field(default_factory=list, max_length=50)


class RotationIn(_TimeOrElapsed):
    id: ClientId | None = Field(default=None, description="Client UUID: the idempotency key.")
    group: GroupCode
    action: Literal["in", "out"]
    checkpoint: CheckpointCode | None = None
    distance_m: CourseMetres | None = None

    @model_validator(mode="after")
    def _one_place(self) -> RotationIn:
        if (self.checkpoint is None) == (self.distance_m is None):
            raise PydanticCustomError("validation_error", "Give either checkpoint or distance_m.")
        return self


class VoidIn(Body):
    reason: Reason


class RevertIn(Body):
    reason: Reason


class ConfirmIn(Body):
    reason: Reason


class ChipIn(Body):
    chip: ChipCode


class ReadItem(Body):
    source: Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$")]
    seq: Annotated[int, Field(ge=0, le=2**53)] | None = None
    chip: ChipCode
    time: Instant
    checkpoint: CheckpointCode
    line: Literal["main", "backup"] = "main"
    device: Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$")] | None = None


MAX_READS_PER_BATCH = 500


class ReadBatchIn(Body):
    reads: list[ReadItem]


class StartIn(Body):
    at: Instant | None = None

    def time_or_now(self, now: datetime) -> datetime:
        """The gun time given, or now."""
        return self.at or now


MAX_FOLLOWED = 50


class WatchIn(Body):
    """A spectator's `watch` on /live: the race, whom they follow, and (officials) the mats."""

    race: Annotated[str, Field(max_length=64)]
    athletes: list[Bib] = Field(default_factory=list, max_length=MAX_FOLLOWED)
    timing: bool = False


MAX_PLAN_SPLITS = 500


class PlanSplitIn(Body):
    distance_m: Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]
    elapsed_s: Annotated[float, Field(gt=0, le=MAX_ELAPSED_S, allow_inf_nan=False)]


class PlanIn(Body):
    """A pacing plan or reference run to show as a ghost: the finish and the times on the
    way (the domain checks their order, the course and the pace)."""

    name: Text
    finish_s: TargetSeconds
    splits: list[PlanSplitIn] = Field(default_factory=list, max_length=MAX_PLAN_SPLITS)

    def points(self) -> list[tuple[float, float]]:
        """The splits as (distance m, elapsed s)."""
        return [(split.distance_m, split.elapsed_s) for split in self.splits]


class GunIn(Body):
    at: Instant
    reason: Reason


def _pointer(location: tuple) -> str:
    return "/" + "/".join(str(part) for part in location) if location else ""


ERROR_CODES = {"missing": "required", "extra_forbidden": "unknown_field"}


def parse_body(
    model: type[Body], data: Any, *, strict: bool | None = None, time_window: dict | None = None
) -> Body:
    """Validate `data` against `model`, or raise a Refusal listing every bad field.

    `strict=False` lets text stand for numbers, as in a CSV row. `time_window` (now,
    window_s, future_tolerance_s) refuses instants far from now (`instant_refusal`).
    """
    if not isinstance(data, dict):
        raise Refusal("validation_error", "The body must be a JSON object.", errors=[])
    try:
        context = {"time_window": time_window} if time_window else None
        return model.model_validate(data, strict=strict, context=context)
    except ValidationError as error:
        errors = [
            {
                "pointer": _pointer(item["loc"]),
                "field": ".".join(str(part) for part in item["loc"]) or None,
                "code": ERROR_CODES.get(item["type"], item["type"]),
                "detail": item["msg"],
            }
            for item in error.errors(include_url=False, include_input=False)
        ]
        codes = {item["code"] for item in errors}
        # One specific reason (e.g. invalid_time) names the whole problem; a mix does not.
        specific = codes <= {"invalid_time", "invalid_string", "time_out_of_range", "future_time"}
        specific = specific and len(codes) == 1
        code = codes.pop() if specific else "validation_error"
        fields = ", ".join(item["field"] or "body" for item in errors)
        raise Refusal(code, f"The request has invalid fields: {fields}.", errors=errors) from error
