"""The criteria catalog as a Danish workbook: template, import, export and check (issue 23).

- `layout`: the sheets and their columns (Danish header ↔ catalog key), shared by reading and writing;
- `vocab`: the closed vocabularies, taken from the project's own lists (parser registry, reference catalog);
- `cells`: one cell's text ↔ one catalog value;
- `write`: a catalog (criteria.yaml + readings.yaml) → workbook, and the empty template;
- `read`: workbook → catalog documents, each value remembered with its cell;
- `check`: every problem of a catalog at once, located and in Danish;
- `scaffold`: `kpi programme new`.
"""
