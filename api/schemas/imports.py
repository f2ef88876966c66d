"""Wire types of import jobs and their per-row errors, views of domain/imports.py's models,
and the words of each row error in both languages."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from api.conventions.uploads import FormField, UploadRule
from api.schemas.common import Stamp
from domain import imports as domain

ImportStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
ImportKind = Literal["communities", "buildings", "households", "residents"]

UPLOAD = UploadRule(
    "ImportUpload", max_file_bytes=domain.MAX_FILE_BYTES,
    file_description=("CSV (UTF-8, UTF-8 with BOM or GB18030, detected; header row in English, Chinese or "
                      "the template's 中文(english) form) or JSON lines (one object a line), ≤ 200 MB"),
    fields={"kind": FormField("What the rows are", choices=domain.KINDS, required=True),
            "mode": FormField("upsert (the default): create or change by external_id, never delete",
                              choices=domain.MODES)})


class ImportJob(msgspec.Struct):
    id: Annotated[str, Meta(examples=["imp_5t7v9x2b4d6f8h1k"])]
    kind: ImportKind
    mode: Literal["upsert"]
    status: ImportStatus
    format: Literal["csv", "jsonl"]
    encoding: Annotated[str, Meta(examples=["gb18030"], description="utf-8, utf-8-sig or gb18030, as detected")]
    file_bytes: int
    file_sha256: str
    rows_total: int | None
    rows_done: int
    created: int
    updated: int
    unchanged: int
    failed: int
    created_at: Stamp
    updated_at: Stamp
    finished_at: Stamp | None


class ImportRowError(msgspec.Struct):
    row: Annotated[int, Meta(description="The 1-based data row (the header excluded)")]
    column: str | None
    code: str
    message: str


def import_view(job: domain.Import) -> ImportJob:
    return ImportJob(
        id=job.id, kind=job.kind, mode=job.mode, status=job.status, format=job.format,  # type: ignore[arg-type]
        encoding=job.encoding, file_bytes=job.file_bytes, file_sha256=job.file_sha256, rows_total=job.rows_total,
        rows_done=job.rows_done, created=job.created, updated=job.updated, unchanged=job.unchanged,
        failed=job.failed, created_at=job.created_at, updated_at=job.updated_at, finished_at=job.finished_at)


MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("此列必填", "This column is required"),
    "invalid_integer": ("须为整数", "Must be a whole number"),
    "out_of_range": ("数值超出允许范围", "The number is out of range"),
    "invalid_area": ("面积须为不小于 0 的数，最多两位小数", "The area must be a number ≥ 0 with at most two decimals"),
    "invalid_boolean": ("须为 是/否 或 true/false", "Must be 是/否 or true/false"),
    "too_long": ("内容过长", "The text is too long"),
    "area_required_to_vote": ("参与表决的房屋须填写大于 0 的面积", "A household that votes needs an area above 0"),
    "invalid_phone": ("须为中国大陆手机号（11 位，可带 +86）", "Must be a mainland China mobile number (11 digits, +86 allowed)"),
    "invalid_role": ("身份须为 业主、租户 或 家属（owner、tenant、family）", "The role must be owner, tenant or family (业主、租户、家属)"),
    "invalid_json": ("此行不是一个 JSON 对象", "This line is not a JSON object"),
    "duplicate_in_file": ("外部编号在文件中此前已出现", "The external_id appeared earlier in the file"),
    "parent_not_found": ("找不到该外部编号对应的上级（请先导入上级）",
                         "No parent has this external_id (import the parents first)"),
    "unit_label_taken": ("该楼栋已有此门牌号的另一户", "Another household of the building has this unit label"),
}
assert set(MESSAGES) == set(domain.ROW_CODES)


def row_error_view(language: str) -> object:
    def view(error: domain.ImportError_) -> ImportRowError:
        zh, en = MESSAGES.get(error.code, (error.code, error.code))
        return ImportRowError(row=error.row, column=error.column, code=error.code,
                              message=en if language == "en" else zh)
    return view
