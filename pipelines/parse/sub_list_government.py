"""The ministry's yearly list of particularly vulnerable areas, published 1 December (section 17).

One row per area and year: `på listen` (1) or `ikke på listen` (0), stored as the measured indicator
`paa_sub_listen` so that vision_no_area_on_sub_list_after_2025 (no area on the list) is evaluated per area.
"""

from pipelines.parse._assessments import AssessmentParser

PARSER = AssessmentParser("sub_list_government", {"på listen": 1.0, "ikke på listen": 0.0}, indicator="paa_sub_listen")
