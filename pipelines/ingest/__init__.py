"""Ingestion: from a delivered file to a validated, typed frame."""
