"""Why a published figure is hidden (rule 8) and which units count persons; shared by the disclosure decision
(disclosure.py) and its protection intervals (intervals.py)."""

COUNT_UNITS = frozenset({"count", "fte_persons"})

PRIMARY = "primary"
SOURCE = "source"
COMPLEMENTARY = "complementary"
