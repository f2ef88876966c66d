"""Bulk registry imports (批量导入): the kinds, their columns (English and Chinese headers),
how a file's encoding and format are told, and the rules one row must pass.

Pure: the use cases hand rows in as text and get typed values or per-row errors back."""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.errors import DomainError, RuleViolation
from domain.people import normalize_phone
from domain.places import check_voting_area, parse_area

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
FINISHED = frozenset({"succeeded", "failed", "cancelled"})
MODES = ("upsert",)  # `sync` (archiving what a later file leaves out) is not offered yet
MAX_FILE_BYTES = 200 * 1024 * 1024
BATCH_ROWS = 10_000  # rows applied per transaction: a batch and its progress commit together
MAX_TEXT = 200


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # the English header, also the JSON lines key
    zh: str  # the Chinese header
    required: bool = True


COLUMNS: dict[str, tuple[Column, ...]] = {
    "communities": (
        Column("external_id", "外部编号"),
        Column("name", "名称"),
    ),
    "buildings": (
        Column("external_id", "外部编号"),
        Column("community_external_id", "社区外部编号"),
        Column("name", "名称"),
        Column("address", "地址", required=False),
        Column("compound_name", "小区名称", required=False),
        Column("floors", "楼层数", required=False),
        Column("units", "单元数", required=False),
    ),
    "households": (
        Column("external_id", "外部编号"),
        Column("building_external_id", "楼栋外部编号"),
        Column("unit_label", "门牌号"),
        Column("area_m2", "面积", required=False),
        Column("votes", "参与表决", required=False),
    ),
    # Resident invitations: the person who later verifies this phone number joins the household.
    "residents": (
        Column("external_id", "外部编号"),
        Column("household_external_id", "住户外部编号"),
        Column("phone", "手机号"),
        Column("role", "身份"),
        Column("head", "户主", required=False),
    ),
}
KINDS = tuple(COLUMNS)

# The parent a row names by its external id, per kind: (column, parent kind).
PARENT: dict[str, tuple[str, str] | None] = {
    "communities": None,
    "buildings": ("community_external_id", "communities"),
    "households": ("building_external_id", "buildings"),
    "residents": ("household_external_id", "households"),
}
INVITATION_DAYS = 90  # a resident invitation not redeemed within this is deleted
_ROLES = {"owner": "owner", "业主": "owner", "tenant": "tenant", "租户": "tenant", "租客": "tenant",
          "family": "family", "家属": "family", "家庭成员": "family"}


@dataclass(frozen=True, slots=True)
class Import:
    id: str
    street_id: str
    kind: str
    mode: str
    status: str
    format: str
    encoding: str
    columns: list[str]
    file_bytes: int
    file_sha256: str
    rows_total: int | None
    rows_done: int
    created: int
    updated: int
    unchanged: int
    failed: int
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    community_id: str | None = None  # a street-wide job: it lives in no community or building
    building_id: str | None = None


@dataclass(frozen=True, slots=True)
class ResidentInvitation:
    """An open invitation of the ``residents`` kind, as the phone verification finds it."""

    id: str
    street_id: str
    household_id: str
    role: str
    head: bool


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str | None
    code: str


@dataclass(frozen=True, slots=True)
class ImportError_:
    """A stored per-row error, with its paging key."""

    row: int
    column: str | None
    code: str
    id: str
    created_at: datetime


def check_kind(kind: str) -> str:
    if kind not in COLUMNS:
        raise RuleViolation("import_kind_unknown", {"kind": kind[:40], "allowed": ", ".join(KINDS)})
    return kind


def check_mode(mode: str | None) -> str:
    if mode is None or mode == "":
        return "upsert"
    if mode not in MODES:
        raise RuleViolation("import_mode_unsupported", {"mode": mode[:40]})
    return mode


# -- the file: encoding and format -----------------------------------------------------

_BOM = codecs.BOM_UTF8


def detect_encoding(chunks: Iterable[bytes]) -> str | None:
    """utf-8-sig when the file starts with a BOM; utf-8 when every byte decodes as UTF-8;
    gb18030 when it decodes strictly as GB18030 (what Chinese spreadsheet software writes);
    None otherwise. ``chunks`` is read twice at most, so pass a re-iterable."""
    first = True
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        for chunk in chunks:
            if first:
                first = False
                if chunk.startswith(_BOM):
                    return "utf-8-sig"
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    decoder = codecs.getincrementaldecoder("gb18030")("strict")
    try:
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "gb18030"
    except UnicodeDecodeError:
        return None


def format_of(first_text: str) -> str:
    """``jsonl`` when the first non-blank character opens a JSON object, else ``csv``."""
    stripped = first_text.lstrip("\ufeff \t\r\n")
    return "jsonl" if stripped.startswith("{") else "csv"


_PAREN = re.compile(r"[(（]\s*([A-Za-z_0-9]+)\s*[)）]\s*$")


def header_name(kind: str, header: str) -> str | None:
    """The column a header names: its English name (any case), its Chinese name, or the
    template's ``中文(english)`` form; None for a column the kind does not know."""
    text = header.strip().lstrip("\ufeff").strip()
    match = _PAREN.search(text)
    if match:
        text = match.group(1)
    for column in COLUMNS[kind]:
        if text.lower() == column.name or text == column.zh:
            return column.name
    return None


def map_header(kind: str, headers: list[str]) -> list[str | None]:
    """Each header's column (None: ignored). A required column missing is 422
    ``import_column_missing`` naming it; a column given twice is 422 ``import_column_duplicate``."""
    names = [header_name(kind, h) for h in headers]
    seen: set[str] = set()
    for name in names:
        if name is not None and name in seen:
            raise RuleViolation("import_column_duplicate", {"column": name})
        if name is not None:
            seen.add(name)
    for column in COLUMNS[kind]:
        if column.required and column.name not in seen:
            raise RuleViolation("import_column_missing", {"column": column.name, "header_zh": column.zh})
    return names


def template(kind: str) -> str:
    """The CSV template: one header row naming each column in both languages, as
    ``中文(english)``; either language alone is accepted too."""
    return ",".join(f"{c.zh}({c.name})" for c in COLUMNS[kind]) + "\r\n"


def cells_of_json(kind: str, line: str) -> list[str | None] | None:
    """A JSON lines record as cells in the kind's column order (keys in either language);
    None when the line is not a JSON object."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    cells: list[str | None] = [None] * len(COLUMNS[kind])
    index = {c.name: i for i, c in enumerate(COLUMNS[kind])}
    for key, value in record.items():
        name = header_name(kind, str(key))
        if name is None or value is None:
            continue
        cells[index[name]] = value if isinstance(value, str) else json.dumps(value)
    return cells


def csv_positions(kind: str, mapping: list[str | None]) -> list[tuple[int, int]]:
    """(field index in the file, cell index) of each column the header maps, once per file."""
    index = {c.name: i for i, c in enumerate(COLUMNS[kind])}
    return [(field, index[name]) for field, name in enumerate(mapping) if name is not None]


def cells_of_csv(width: int, positions: list[tuple[int, int]], fields: list[str]) -> list[str | None]:
    cells: list[str | None] = [None] * width
    count = len(fields)
    for field, cell in positions:
        if field < count:
            cells[cell] = fields[field]
    return cells


# -- one row's rules -----------------------------------------------------------------------

_TRUE = {"true", "1", "yes", "y", "是", "参与"}
_FALSE = {"false", "0", "no", "n", "否", "不参与"}


def check_row(kind: str, row: int, cells: list[str | None]) -> tuple[dict[str, Any] | None, list[RowError]]:
    """The row's typed values, or its errors (every column at fault, not just the first)."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for column, raw in zip(COLUMNS[kind], cells, strict=True):
        text = (raw or "").strip()
        if not text:
            if column.required:
                errors.append(RowError(row, column.name, "required"))
            values[column.name] = None
            continue
        try:
            values[column.name] = _typed(column.name, text)
        except ValueError as error:
            errors.append(RowError(row, column.name, str(error)))
    if not errors and kind == "households":
        values["votes"] = True if values["votes"] is None else values["votes"]
        values["area_m2"] = Decimal("0.00") if values["area_m2"] is None else values["area_m2"]
        try:
            check_voting_area(values["area_m2"], values["votes"])
        except DomainError:
            errors.append(RowError(row, "area_m2", "area_required_to_vote"))
    if not errors and kind == "residents":
        values["head"] = bool(values["head"])
    return (None, errors) if errors else (values, [])


def _typed(name: str, text: str) -> Any:
    if name in ("floors", "units"):
        if not re.fullmatch(r"\d{1,3}", text):
            raise ValueError("invalid_integer")
        number = int(text)
        if not 1 <= number <= (200 if name == "floors" else 100):
            raise ValueError("out_of_range")
        return number
    if name == "area_m2":
        try:
            return parse_area(text, name)
        except DomainError:
            raise ValueError("invalid_area") from None
    if name == "phone":
        phone = normalize_phone(text)
        if phone is None:
            raise ValueError("invalid_phone")
        return phone
    if name == "role":
        if text.lower() not in _ROLES:
            raise ValueError("invalid_role")
        return _ROLES[text.lower()]
    if name in ("votes", "head"):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError("invalid_boolean")
    if len(text) > MAX_TEXT or (name.endswith("external_id") and len(text) > 100):
        raise ValueError("too_long")
    return text


ROW_CODES = ("required", "invalid_integer", "out_of_range", "invalid_area", "invalid_boolean", "too_long",
             "area_required_to_vote", "invalid_phone", "invalid_role", "invalid_json", "duplicate_in_file", "parent_not_found",
             "unit_label_taken")


class Splitter:
    """A file fed in byte chunks, out as records: CSV records (lists of fields; a quoted
    field may hold line ends) or JSON lines (strings). Blank lines are skipped. Incremental,
    so neither process ever holds a whole file."""

    def __init__(self, encoding: str, format: str) -> None:
        self._decoder = codecs.getincrementaldecoder(encoding)("strict")
        self._format = format
        self._pending = ""  # text after the last complete line
        self._record = ""  # lines of a CSV record whose quotes are still open
        self._quotes = 0

    def feed(self, chunk: bytes, *, final: bool = False) -> list[Any]:
        text = self._pending + self._decoder.decode(chunk, final=final)
        lines = text.split("\n")  # only LF ends a line (CRLF too): U+2028 and the like are text
        self._pending = "" if final else lines.pop()
        if self._format == "jsonl":
            return [stripped for line in lines if (stripped := line.strip())]
        complete: list[str] = []
        for line in lines:
            self._record += line + "\n"
            self._quotes += line.count('"')
            if self._quotes % 2 == 0:
                complete.append(self._record)
                self._record, self._quotes = "", 0
        if final and self._record:
            complete.append(self._record)
            self._record, self._quotes = "", 0
        return _parse([record for record in complete if record.strip()])


def _parse(records: list[str]) -> list[list[str]]:
    """Complete CSV records (a quoted field may hold line ends), parsed by one reader; a
    record the reader refuses becomes a row of its raw text (it fails its checks alone)."""
    try:
        return list(csv.reader(records))
    except csv.Error:
        parsed = []
        for record in records:
            try:
                parsed.extend(csv.reader([record]))
            except csv.Error:
                parsed.append([record.rstrip("\r\n")])
        return parsed
