"""The numbers of the INEOS 1:59 Challenge that the demo replays.

Kipchoge's splits are the official 5 km splits as listed in ../shared/data/elite_splits.csv
(therunningplan.com's official splits list; 40 km from thesportsexaminer.com; the finish,
1:59:40.2, from the Wikipedia article on the event). The half-way time is approximate:
sources give 59:35 to 59:54, and 59:50 is used here. The course was 4.4 laps of a 9.6 km
loop on the Hauptallee in Vienna's Prater; the gun went at 08:15 local time.
The pacers are four of the 41 who rotated in front of him; their own splits were not
published, so the demo shows them without times.
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
    {"bib": "P1", "name": "Jakob Ingebrigtsen", "country": "NOR", "role": "pacer"},
    {"bib": "P2", "name": "Bernard Lagat", "country": "USA", "role": "pacer"},
    {"bib": "P3", "name": "Selemon Barega", "country": "ETH", "role": "pacer"},
    {"bib": "P4", "name": "Matthew Centrowitz", "country": "USA", "role": "pacer"},
]

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
