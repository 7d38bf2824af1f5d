"""A Template as an Excel workbook: protected data sheet, unlocked validated input cells, instruction sheet."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipelines.supplier_templates.spec import InputRule, Template

INSTRUCTION_SHEET = "Vejledning"
_LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_ERROR_DA = {"whole": "Skriv et helt tal.", "decimal": "Skriv et tal.", "list": "Vælg en værdi fra listen."}


def _validation(rule: InputRule) -> DataValidation | None:
    if rule.kind == "list":
        validation = DataValidation(type="list", formula1='"' + ",".join(rule.choices) + '"', allow_blank=True)
    elif rule.kind in ("whole", "decimal"):
        if rule.maximum is not None:
            validation = DataValidation(type=rule.kind, operator="between", formula1=str(rule.minimum or 0),
                                        formula2=str(rule.maximum), allow_blank=True)
        else:
            validation = DataValidation(type=rule.kind, operator="greaterThanOrEqual",
                                        formula1=str(rule.minimum or 0), allow_blank=True)
    else:
        return None
    validation.error = _ERROR_DA[rule.kind] + " " + rule.prompt_da
    validation.errorTitle = "Ugyldig værdi"
    validation.prompt = rule.prompt_da
    validation.showErrorMessage = validation.showInputMessage = True
    return validation


def write_template(template: Template, out_dir: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = template.sheet
    sheet.append([c.name for c in template.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
    validations: dict[InputRule, DataValidation] = {}
    for row_index, row in enumerate(template.rows, start=2):
        for col_index, column in enumerate(template.columns, start=1):
            cell = sheet.cell(row=row_index, column=col_index, value=row.values.get(column.name))
            rule = template.rule(row, column)
            if column.is_input:
                cell.protection = Protection(locked=False)
                if rule is not None and (validation := validations.get(rule) or _validation(rule)) is not None:
                    validations[rule] = validation
                    validation.add(cell)
            else:
                cell.fill = _LOCKED_FILL
            cell.alignment = Alignment(vertical="top", wrap_text=column.width >= 60)
    for validation in validations.values():
        sheet.add_data_validation(validation)
    for index, column in enumerate(template.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    # Structure locked, input cells open; no password: the lock prevents mistakes, it is not security.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.autoFilter = False

    guide = workbook.create_sheet(INSTRUCTION_SHEET)
    guide.append([f"Skabelon: {template.file_name}"])
    guide["A1"].font = Font(bold=True, size=14)
    for text in template.instructions_da:
        guide.append([text])
    guide.column_dimensions["A"].width = 120
    for row in guide.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True)
    guide.protection.sheet = True

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / template.file_name
    workbook.save(path)
    return path
