"""Assessments of Landsbyggefonden's central measurements (section 17)."""

from pipelines.parse._assessments import ASSESSMENT_VERDICTS, AssessmentParser

PARSER = AssessmentParser("lbf_central", ASSESSMENT_VERDICTS)
