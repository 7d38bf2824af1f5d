"""The criteria catalog (criteria.yaml) and the project's readings, as tables for the warehouse."""
