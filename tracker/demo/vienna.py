"""The numbers of the INEOS 1:59 Challenge that the demo replays.

Kipchoge's splits are the official 5 km splits as listed in ../shared/data/elite_splits.csv
(therunningplan.com's official splits list; 40 km from thesportsexaminer.com; the finish,
1:59:40.2, from the Wikipedia article on the event). The half-way time is approximate:
sources give 59:35 to 59:54, and 59:50 is used here. The course was 4.4 laps of a 9.6 km
loop on the Hauptallee in Vienna's Prater; the gun went at 08:15 local time.

The pacing is illustrative. 41 pacemakers ran in groups of seven (five in a V in front, two
behind) and changed on the run, but the public record gives no exact changeover points or
times, nor who ran in which group. The demo has 41 pacers in six groups (A-E of seven, F of
six), four named after pacemakers who ran that day and the rest numbered; the groups hand
over at the 5 km mats (a group's chips there put it in, relieving the group before), and
the last group peels off at 41 km, leaving Kipchoge alone. The pacers' times at the mats
are made up from his (a second ahead in the V, a second behind at the back).
"""

from __future__ import annotations

SLUG = "ineos-159-vienna"
NAME = "INEOS 1:59 Challenge, Vienna 2019"
TIMEZONE = "Europe/Vienna"
DISTANCE_M = 42195.0
TARGET_S = 7200.0

CHECKPOINTS = [
    {"code": "5K", "name": "5 km", "distance_m": 5000.0},
    {"code": "10K", "name": "10 km", "distance_m": 10000.0},
    {"code": "15K", "name": "15 km", "distance_m": 15000.0},
    {"code": "20K", "name": "20 km", "distance_m": 20000.0},
    {"code": "HALF", "name": "Half-way", "distance_m": 21097.5},
    {"code": "25K", "name": "25 km", "distance_m": 25000.0},
    {"code": "30K", "name": "30 km", "distance_m": 30000.0},
    {"code": "35K", "name": "35 km", "distance_m": 35000.0},
    {"code": "40K", "name": "40 km", "distance_m": 40000.0},
    {"code": "FINISH", "name": "Finish", "distance_m": 42195.0},
]

ATHLETES = [
    {
        "bib": "1",
        "name": "Eliud Kipchoge",
        "country": "KEN",
        "role": "athlete",
        "featured": True,
        "chips": ["KIP1"],
    },
]
NAMED_PACERS = {
    1: ("Jakob Ingebrigtsen", "NOR"),
    2: ("Bernard Lagat", "USA"),
    3: ("Selemon Barega", "ETH"),
    4: ("Matthew Centrowitz", "USA"),
}
for _n in range(1, 42):
    _name, _country = NAMED_PACERS.get(_n, (f"Pacemaker {_n}", None))
    ATHLETES.append(
        {
            "bib": f"P{_n}",
            "name": _name,
            "country": _country,
            "role": "pacer",
            "chips": [f"PAC{_n}"],
        }
    )

# Illustrative groups: the four named pacers lead groups A-D, the numbered fill them up.
GROUP_SIZES = {"A": 7, "B": 7, "C": 7, "D": 7, "E": 7, "F": 6}
_queue = [f"P{n}" for n in range(5, 42)]
PACER_GROUPS = {
    code: [f"P{index + 1}"] * (index < 4) + [_queue.pop(0) for _ in range(size - (index < 4))]
    for index, (code, size) in enumerate(GROUP_SIZES.items())
}
# Illustrative rotation plan: (group, planned in, planned out), in metres.
PACER_PLAN = [
    ("A", 0.0, 5000.0),
    ("B", 5000.0, 10000.0),
    ("C", 10000.0, 15000.0),
    ("D", 15000.0, 20000.0),
    ("E", 20000.0, 25000.0),
    ("F", 25000.0, 30000.0),
    ("A", 30000.0, 35000.0),
    ("B", 35000.0, 41000.0),
]
# An official puts group A in at the gun and takes the last group out at 41 km, where the
# chips cannot say so: (group, in|out, metres, seconds from the gun).
PACERS_IN_AT_GUN = ("A", "in", 0.0, 0.0)
PACERS_OUT = ("B", "out", 41000.0, 6982.0)

# Splits whose time is an estimate, entered as approximate: shown as such, kept out of paces.
APPROXIMATE = {("1", "HALF")}

# (bib, checkpoint, seconds from the gun)
SPLITS = [
    ("1", "5K", 850.0),
    ("1", "10K", 1700.0),
    ("1", "15K", 2554.0),
    ("1", "20K", 3407.0),
    ("1", "HALF", 3590.0),
    ("1", "25K", 4259.0),
    ("1", "30K", 5111.0),
    ("1", "35K", 5963.0),
    ("1", "40K", 6816.0),
    ("1", "FINISH", 7180.2),
]


def _pacer_splits() -> list[tuple[str, str, float]]:
    """Each incoming group over its changeover mat: the V of five a second ahead of him
    (a tenth apart), the two at the back one and two seconds behind."""
    kipchoge_at = {code: elapsed for _, code, elapsed in SPLITS}
    mat_at = {cp["distance_m"]: cp["code"] for cp in CHECKPOINTS}
    splits = []
    for group, in_m, _ in PACER_PLAN:
        if in_m not in mat_at:
            continue  # in at the gun: no mat
        code = mat_at[in_m]
        for place, bib in enumerate(PACER_GROUPS[group]):
            offset_s = -1.0 + 0.1 * place if place < 5 else place - 4.0
            splits.append((bib, code, round(kipchoge_at[code] + offset_s, 1)))
    return splits


PACER_SPLITS = _pacer_splits()
SPLITS += PACER_SPLITS
