"""The board report: generated KPI tables in Danish from the published warehouse."""
