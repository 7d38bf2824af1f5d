"""The cooperation committee's yearly assessments of criteria (section 17)."""

from pipelines.ingest.parsers._assessments import ASSESSMENT_VERDICTS, AssessmentParser

PARSER = AssessmentParser("samarbejdsudvalg_evaluation", ASSESSMENT_VERDICTS)
