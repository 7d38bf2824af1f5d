"""The cooperation committee's yearly assessments of criteria (section 17)."""

from pipelines.parse._assessments import ASSESSMENT_VERDICTS, AssessmentParser

PARSER = AssessmentParser("samarbejdsudvalg_evaluation", ASSESSMENT_VERDICTS)
