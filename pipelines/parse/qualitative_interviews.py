"""Assessments from qualitative interviews (section 17)."""

from pipelines.parse._assessments import ASSESSMENT_VERDICTS, AssessmentParser

PARSER = AssessmentParser("qualitative_interviews", ASSESSMENT_VERDICTS)
