"""Setting up a Vienna-like race through the API, as an admin would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.demo import vienna

GUN = "2019-10-12T08:15:00+02:00"
CHECKPOINTS = [
    {"code": "5K", "distance_m": 5000},
    {"code": "10K", "distance_m": 10000},
    {"code": "15K", "distance_m": 15000},
    {"code": "20K", "distance_m": 20000},
    {"code": "HALF", "name": "Half-way", "distance_m": 21097.5},
    {"code": "25K", "distance_m": 25000},
    {"code": "30K", "distance_m": 30000},
    {"code": "35K", "distance_m": 35000},
    {"code": "40K", "distance_m": 40000},
    {"code": "FINISH", "name": "Finish", "distance_m": 42195},
]
# Kipchoge's official splits in Vienna, 2019: the demo's own copy, the one source.
KIPCHOGE = [(checkpoint, elapsed) for bib, checkpoint, elapsed in vienna.SPLITS if bib == "1"]

# A pacing plan an official might upload as a ghost: about 2:52/km, illustrative (not any
# real race's splits), as JSON and as the CSV file of the same plan.
EVEN_PLAN = {
    "name": "Even 2:01:00 plan",
    "finish_s": 7260,
    "splits": [
        {"distance_m": 5000, "elapsed_s": 860},
        {"distance_m": 10000, "elapsed_s": 1720},
        {"distance_m": 20000, "elapsed_s": 3440},
        {"distance_m": 30000, "elapsed_s": 5160},
    ],
}
EVEN_PLAN_CSV = (
    "distance,elapsed\n5000,14:20\n10000,28:40\n20000,57:20\n30000,1:26:00\n42195,2:01:00\n"
)


def set_up_vienna(client, auth, *, slug: str = "vienna", start: bool = True) -> str:
    """A marathon with 5 km checkpoints, Kipchoge (bib 1) and a pacer (P1)."""
    admin = auth["admin"]
    response = client.post(
        "/api/races",
        json={
            "slug": slug,
            "name": "Vienna 2019",
            "timezone": "Europe/Vienna",
            "checkpoints": CHECKPOINTS,
        },
        headers=admin,
    )
    assert response.status_code == 201, response.json
    for athlete in (
        {"bib": "1", "name": "Eliud Kipchoge", "country": "KEN", "chips": ["KIP1"]},
        {"bib": "P1", "name": "Jakob Ingebrigtsen", "country": "NOR", "role": "pacer"},
    ):
        response = client.post(f"/api/races/{slug}/athletes", json=athlete, headers=admin)
        assert response.status_code == 201, response.json
    if start:
        response = client.post(f"/api/races/{slug}/start", json={"at": GUN}, headers=admin)
        assert response.status_code == 200, response.json
    return slug


def post_split(
    client,
    auth,
    checkpoint: str,
    elapsed_s: float,
    *,
    bib="1",
    role="official",
    slug="vienna",
    **extra,
):
    body = {"bib": bib, "checkpoint": checkpoint, "elapsed_s": elapsed_s, **extra}
    return client.post(f"/api/races/{slug}/splits", json=body, headers=auth[role])


GUN_TIME = datetime(2019, 10, 12, 6, 15, tzinfo=UTC)


def after_gun(seconds: float) -> datetime:
    """The wall-clock instant `seconds` after Vienna's gun (08:15 local time)."""
    return GUN_TIME + timedelta(seconds=seconds)
