"""Households and residents in Excel, laid out the way community workers keep them.

One row per resident; rows with the same 户号 form one household. The import reads and
checks every row first and writes nothing unless the whole file is clean.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from linli.registry.models import Gender, Registration, Relationship

# (key, header, required). Headers are what the sheet shows; keys what the code reads.
COLUMNS: list[tuple[str, object, bool]] = [
    ("household", gettext_lazy("户号"), True),
    ("compound", gettext_lazy("小区"), True),
    ("building", gettext_lazy("楼栋"), True),
    ("unit", gettext_lazy("单元"), True),
    ("room", gettext_lazy("房号"), True),
    ("name", gettext_lazy("姓名"), True),
    ("gender", gettext_lazy("性别"), False),
    ("id_number", gettext_lazy("身份证号码"), False),
    ("phone", gettext_lazy("手机号码"), False),
    ("relationship", gettext_lazy("与户主关系"), True),
    ("registration", gettext_lazy("户籍状态"), True),
    ("care_tags", gettext_lazy("关怀标签"), False),
]


def _choices_by_label(choices) -> dict[str, str]:
    """Accept the Chinese label, the English label or the code: sheets are typed by hand."""
    from django.utils import translation

    out: dict[str, str] = {}
    for value, label in choices:
        out[str(value).lower()] = value
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                out[str(label).lower()] = value
    return out


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParsedRow:
    row: int
    values: dict = field(default_factory=dict)


def header_labels() -> list[str]:
    return [str(h) for _k, h, _r in COLUMNS]


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("居民信息")
    ws.append(header_labels())
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for i, (_key, _header, required) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = bold
        if required:
            cell.fill = fill
        ws.column_dimensions[cell.column_letter].width = 14
    ws.column_dimensions["H"].width = 22
    # The example row shows the expected form; delete it before importing.
    ws.append(["H0001", "阳光小区", "1栋", "1单元", "101", "张三", "男", "110101199003070015", "13800138000", "户主", "户籍人口", "党员"])
    for col, choices in (("G", Gender.choices), ("J", Relationship.choices), ("K", Registration.choices)):
        dv = DataValidation(type="list", formula1='"' + ",".join(str(label) for _v, label in choices) + '"', allow_blank=True)
        ws.add_data_validation(dv)
        dv.add(f"{col}2:{col}20000")
    # ID numbers and phones as text, or Excel turns them into 1.1E+17.
    for col in ("A", "E", "H", "I"):
        ws.column_dimensions[col].number_format = "@"
    help_ws = wb.create_sheet(_("填写说明"))
    help_ws.append([_("同一户号的行属于同一家庭户；小区、楼栋、单元须已在地点树中登记，房号不存在时自动新增。")])
    help_ws.append([_("身份证号码按GB 11643校验；填写后性别可留空。关怀标签用逗号分隔。")])
    help_ws.append([_("文件中任何一行有错误时，整个文件都不会导入。")])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def read_rows(fileobj) -> tuple[int, Iterator[ParsedRow]]:
    """Open a workbook and return (data row count, iterator of rows as dicts by key).

    Raises ValidationError when the file is not an xlsx or its header is not the template's.
    """
    try:
        # Formulas are read as written (not their cached results), so the import can refuse them.
        wb = load_workbook(fileobj, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a non-xlsx file
        raise ValidationError(_("无法读取文件：请上传由模板填写的 .xlsx 文件。")) from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    try:
        header = [_text(v) for v in next(rows)]
    except StopIteration:
        raise ValidationError(_("文件是空的。")) from None
    expected = header_labels()
    index: dict[str, int] = {}
    known = {str(h): k for k, h, _r in COLUMNS}
    from django.utils import translation

    with translation.override("en"):
        known.update({str(h): k for k, h, _r in COLUMNS})
    for i, h in enumerate(header):
        if h in known:
            index[known[h]] = i
    missing = [str(h) for k, h, required in COLUMNS if required and k not in index]
    if missing:
        raise ValidationError(
            _("表头缺少列：%(cols)s。请使用下载的模板（表头应为：%(expected)s）。")
            % {"cols": "、".join(missing), "expected": "、".join(expected)}
        )
    total = max((ws.max_row or 1) - 1, 0)

    def iterate() -> Iterator[ParsedRow]:
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or _text(v) == "" for v in values):
                continue
            yield ParsedRow(row=number, values={k: _text(values[i]) if i < len(values) else "" for k, i in index.items()})

    return total, iterate()


class ChoiceReader:
    def __init__(self):
        self.gender = _choices_by_label(Gender.choices)
        self.relationship = _choices_by_label(Relationship.choices)
        self.registration = _choices_by_label(Registration.choices)

    def gender_of(self, text: str) -> str:
        return self.gender.get(text.lower(), "") if text else ""

    def relationship_of(self, text: str) -> str | None:
        return self.relationship.get(text.lower())

    def registration_of(self, text: str) -> str | None:
        return self.registration.get(text.lower())


# A cell that starts with one of these is a formula to Excel (=HYPERLINK(...), =cmd|...,
# +1+cmd, @SUM(...)) — "CSV/formula injection". Linli never writes formulas.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return bool(text) and text.startswith(FORMULA_LEADS)


def _text_cell(ws, value):
    """Every value is written as a text cell: a string that starts like a formula stays text."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def export_workbook(rows: Iterator[list]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("居民信息"))
    ws.append(header_labels())
    for row in rows:
        ws.append([_text_cell(ws, v) for v in row])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
