"""The JSON API under /api: reports in the canonical JSON of the spec (schema xxgk.report/1),
the corpus listing, findings and their reviews, uploads, statistics, agency histories, exports."""

from __future__ import annotations

import typing
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, HTTPException, Path, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, Field, create_model

from .. import checks
from ..store.core import ReportSummary
from . import views
from .security import csrf_token, current_user, require_csrf, require_writer, sign_in, sign_out
from .uploads import UploadRefused, expand

router = APIRouter(prefix="/api", tags=["api"])

WRITE_ERRORS = {
    401: {"description": "以 --auth 启动时未登录"},
    403: {"description": "只读模式，或缺少/错误的 X-CSRF-Token"},
}


def _aware(d: datetime) -> datetime:
    """SQLite gives back naive datetimes; the store writes UTC."""
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


Instant = Annotated[datetime, AfterValidator(_aware)]


class SessionInfo(BaseModel):
    csrf_token: str = Field(description="写操作时放在 X-CSRF-Token 头中发送")
    user: str | None
    auth: bool = Field(description="写操作是否需要登录")
    read_only: bool


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


def _summary_model() -> type[BaseModel]:
    """ReportSummaryOut: the fields of the store's ReportSummary, declared there once (a column
    added to the summary appears in the API without a second list here); datetimes are given a
    time zone (SQLite returns them naive)."""
    hints = typing.get_type_hints(ReportSummary)
    fields: dict[str, Any] = {}
    for name in ReportSummary.__dataclass_fields__:
        t = hints[name]
        fields[name] = (Instant | None if t == (datetime | None) else t, ...)
    return create_model("ReportSummaryOut", **fields)


ReportSummaryOut = _summary_model()


class ReportList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ReportSummaryOut]


class ReviewOut(BaseModel):
    finding_key: str
    status: Literal["confirmed", "dismissed"]
    comment: str | None
    reviewer: str | None
    reviewed_at: Instant


class FindingOut(BaseModel):
    id: int
    key: str = Field(description="稳定键：同一文件重新入库后不变，审核结论挂在它上面")
    report_id: int
    code: str
    severity: Literal["error", "warning", "info"]
    message: str
    where: dict[str, Any]
    scope: Literal["report", "corpus"]
    agency: str | None
    year: int | None
    source_path: str | None
    review: ReviewOut | None


class FindingList(BaseModel):
    limit: int
    offset: int
    more: bool = Field(description="是否还有下一页")
    items: list[FindingOut]


class ReviewIn(BaseModel):
    status: Literal["confirmed", "dismissed"]
    comment: str | None = Field(default=None, max_length=2000)


class ContextLine(BaseModel):
    line: int
    text: str
    current: bool


class CellSource(BaseModel):
    slot: str
    table: str
    row: str
    column: str
    label: str
    value: str | None
    status: str
    status_cn: str
    raw: str | None
    line: int | None
    page: int | None
    confidence: float | None
    document_cell: dict[str, int] | None = None
    context: list[ContextLine]


class JobItemOut(BaseModel):
    path: str
    sha256: str | None
    size: int
    status: Literal["waiting", "stored", "replaced", "skipped", "failed", "refused"]
    status_cn: str
    message: str | None
    report_id: int | None
    agency: str | None
    year: int | None
    n_errors: int
    n_warnings: int


class JobOut(BaseModel):
    id: str
    total: int
    done: int
    finished: bool
    error: str | None
    seconds: float
    counts: dict[str, int]
    cross_year_findings: int
    created: Instant
    items: list[JobItemOut]


class RuleOut(BaseModel):
    code: str
    severity: Literal["error", "warning", "info"]
    group: str
    description: str


def _store(request: Request):
    return request.app.state.store


ReportId = Annotated[int, Path(ge=1, le=2**31 - 1, description="报告编号")]

# Each parameter gets its own Query object: FastAPI records a parameter's name on the object it
# is given, so one shared object made `level`, `region` and `agency` all read `?level=`.
YearQ = Annotated[int | None, Query(ge=1990, le=2100, description="报告年度")]
LevelQ = Annotated[str | None, Query(max_length=100, description="行政层级（如 省级、地市级、县级、乡镇街道）")]
RegionQ = Annotated[str | None, Query(max_length=100, description="地区（包含这段文字）")]
AgencyQ = Annotated[str | None, Query(max_length=100, description="机关名称（同一机关带或不带地名均可）")]
HasErrorsQ = Annotated[bool | None, Query(description="是否有错误级审核意见")]
CodeQ = Annotated[str | None, Query(max_length=40, description="含有该代码审核意见的报告")]
TemplateQ = Annotated[Literal["2021", "2019"] | None, Query(description="模板版本")]
TextQ = Annotated[str | None, Query(max_length=100, description="机关、标题或文件名中的文字")]


def query_filters(year: YearQ = None, level: LevelQ = None, region: RegionQ = None, agency: AgencyQ = None,
                   has_errors: HasErrorsQ = None, code: CodeQ = None, template: TemplateQ = None,
                   q: TextQ = None) -> dict[str, Any]:
    """The report filters shared by /reports, /stats and /export (as Store.reports takes them);
    an empty value is no filter."""
    f = {"year": year, "level": level, "region": region, "agency": agency, "has_errors": has_errors, "code": code,
         "template": template, "q": q}
    return {k: v for k, v in f.items() if v is not None and v != ""}


ReportFilters = Annotated[dict[str, Any], Depends(query_filters)]


# ---- session -------------------------------------------------------------------------------------


@router.get("/session", response_model=SessionInfo, summary="会话信息与 CSRF 令牌")
def session(request: Request):
    s = request.app.state.settings
    return SessionInfo(csrf_token=csrf_token(request), user=current_user(request), auth=s.auth, read_only=s.read_only)


@router.post("/login", response_model=SessionInfo, summary="审核员登录", dependencies=[Depends(require_csrf)],
             responses={401: {"description": "用户名或密码不正确"}, 403: WRITE_ERRORS[403],
                        429: {"description": "登录失败次数过多，稍后再试"}})
def login(request: Request, body: LoginIn):
    refused = sign_in(request, body.username, body.password)
    if refused:
        raise HTTPException(refused.status, refused.message, headers=refused.headers())
    return session(request)


@router.post("/logout", response_model=SessionInfo, summary="退出登录", dependencies=[Depends(require_csrf)],
             responses={403: WRITE_ERRORS[403]})
def logout(request: Request):
    sign_out(request)
    return session(request)


# ---- reports -------------------------------------------------------------------------------------


@router.get("/reports", response_model=ReportList, summary="报告列表（可筛选、分页）")
def list_reports(
    request: Request,
    f: ReportFilters,
    order: Literal["id", "year", "agency"] = "id",
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10_000_000),
):
    store = _store(request)
    items = store.reports(limit=limit, offset=offset, order=order, **f)
    return ReportList(total=store.count(**f), limit=limit, offset=offset, items=[s.to_json() for s in items])


@router.get("/reports/{report_id}", summary="一份报告的规范 JSON（schema xxgk.report/1）",
            responses={200: {"content": {"application/json": {"schema": {"type": "object", "required": ["schema"]}}}},
                       404: {"description": "没有这份报告"}})
def get_report(request: Request, report_id: ReportId):
    from ..report import _json_default
    import json

    report = _store(request).report(report_id)
    if report is None:
        raise HTTPException(404, f"没有编号为{report_id}的报告")
    body = json.dumps(report.to_json(), ensure_ascii=False, default=_json_default)
    return JSONResponse(json.loads(body))


@router.get("/reports/{report_id}/cells/{slot}", response_model=CellSource,
            summary="一个表格单元格的来源（行号、原文及上下文）", responses={404: {"description": "没有这份报告或这个单元格"}})
def cell_source(request: Request, report_id: ReportId, slot: str, context: int = Query(3, ge=0, le=20)):
    store = _store(request)
    report = store.report(report_id)
    parsed = views.parse_slot(slot)
    if report is None or parsed is None:
        raise HTTPException(404, "没有这份报告或这个单元格")
    out = views.cell_source(report, parsed, report.lines or None, context)
    if out is None:
        raise HTTPException(404, "没有这个单元格")
    return out


@router.get("/reports/{report_id}/findings", response_model=list[FindingOut], summary="一份报告的审核意见（含审核结论）",
            responses={404: {"description": "没有这份报告"}})
def report_findings(request: Request, report_id: ReportId):
    store = _store(request)
    if store.summary(report_id) is None:
        raise HTTPException(404, f"没有编号为{report_id}的报告")
    return [f.to_json() for f in store.findings(report_id=report_id)]


# ---- findings and reviews ------------------------------------------------------------------------


@router.get("/findings", response_model=FindingList, summary="审核意见（按代码、级别、机关、年度、审核状态筛选）")
def list_findings(
    request: Request,
    code: Annotated[str | None, Query(max_length=40, description="审核意见代码")] = None,
    severity: Literal["error", "warning", "info"] | None = None,
    agency: AgencyQ = None,
    year: YearQ = None,
    level: LevelQ = None,
    region: RegionQ = None,
    review: Literal["unreviewed", "reviewed", "confirmed", "dismissed"] | None = None,
    scope: Literal["report", "corpus"] | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10_000_000),
):
    f = {k: v for k, v in {"code": code, "severity": severity, "agency": agency, "year": year, "level": level,
                           "region": region, "review": review, "scope": scope}.items() if v not in (None, "")}
    rows = _store(request).findings(limit=limit + 1, offset=offset, **f)
    return FindingList(limit=limit, offset=offset, more=len(rows) > limit, items=[r.to_json() for r in rows[:limit]])


@router.put("/findings/{key}/review", response_model=ReviewOut, summary="确认或驳回一条审核意见",
            responses={404: {"description": "没有这条审核意见"}, **WRITE_ERRORS})
def set_review(request: Request, key: str, body: ReviewIn, user: str | None = Depends(require_writer)):
    try:
        r = _store(request).review(key, body.status, (body.comment or "").strip() or None, user)
    except KeyError:
        raise HTTPException(404, "没有这条审核意见") from None
    return r.to_json()


@router.delete("/findings/{key}/review", status_code=204, summary="撤销审核结论", responses=WRITE_ERRORS)
def clear_review(request: Request, key: str, user: str | None = Depends(require_writer)):
    _store(request).clear_review(key)


# ---- uploads -------------------------------------------------------------------------------------


async def start_upload(request: Request, files: list[UploadFile], user: str | None):
    limits = request.app.state.settings.limits
    if len(files) > limits.max_files:
        raise UploadRefused(f"一次最多上传{limits.max_files}个文件", 413)
    raw = []
    for f in files:
        raw.append((f.filename or "", await f.read()))
        await f.close()
    if not raw or all(not name and not data for name, data in raw):
        raise UploadRefused("没有选择文件")
    items, skipped = await run_in_threadpool(expand, raw, limits)
    return request.app.state.jobs.submit(items, skipped, user)


@router.post("/uploads", response_model=JobOut, status_code=202, summary="上传报告（一个或多个文件，或 zip 压缩包）并入库",
             responses={400: {"description": "没有文件，或压缩包无效、含越界路径"},
                        413: {"description": "超过大小或数量限制，或疑似压缩炸弹"}, **WRITE_ERRORS})
async def upload(request: Request, files: list[UploadFile] = File(..., description="报告文件或 zip 压缩包"),
                 wait: bool = Query(False, description="等入库完成再返回"),
                 user: str | None = Depends(require_writer)):
    try:
        job = await start_upload(request, files, user)
    except UploadRefused as exc:
        raise HTTPException(exc.status, str(exc)) from None
    if wait:
        await run_in_threadpool(request.app.state.jobs.wait, job.id, 600.0)
    return job.to_json()


@router.get("/jobs/{job_id}", response_model=JobOut, summary="上传入库进度", responses={404: {"description": "没有这个任务"}})
def get_job(request: Request, job_id: str):
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "没有这个上传任务")
    return job.to_json()


# ---- corpus --------------------------------------------------------------------------------------


@router.get("/stats", summary="统计：总数与比率（可按年度、层级、地区、机关分组）",
            responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}})
def stats(
    request: Request,
    f: ReportFilters,
    by: Literal["year", "level", "kind", "region", "province", "prefecture", "county", "agency", "template"] | None = None,
):
    return _store(request).stats(by=by, **f).to_json()


@router.get("/agencies/{name}/history", summary="一个机关的历年报告与跨年度审核意见",
            responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}})
def history(request: Request, name: str):
    return _store(request).history(name[:100]).to_json()


@router.get("/export", summary="导出当前筛选的报告（CSV 或 XLSX）",
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}},
                                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                                             {"schema": {"type": "string", "format": "binary"}}}}})
def export(
    request: Request,
    f: ReportFilters,
    format: Literal["csv", "xlsx"] = "csv",
    layout: Literal["wide", "long"] = "wide",
):
    return export_response(request, format, f, layout)


EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export_response(request: Request, fmt: str, filters: dict[str, Any], layout: str = "wide"):
    """The store's export of the selection (xxgk.store.export), written to a temporary file,
    sent, and removed."""
    import os
    import tempfile
    from datetime import date
    from urllib.parse import quote

    from fastapi.responses import FileResponse
    from starlette.background import BackgroundTask

    from ..store.export import export as store_export

    if fmt not in EXPORT_TYPES:
        raise HTTPException(400, "导出格式只能是 CSV 或 XLSX")
    if layout not in ("wide", "long"):
        raise HTTPException(400, "导出版式只能是 wide 或 long")
    fd, tmp = tempfile.mkstemp(prefix="xxgk-export-", suffix="." + fmt)
    os.close(fd)
    try:
        store_export(_store(request), tmp, fmt, layout, **filters)
    except Exception:
        os.unlink(tmp)
        raise
    name = f"xxgk-导出-{date.today():%Y%m%d}.{fmt}"
    disposition = f"attachment; filename=\"xxgk-export.{fmt}\"; filename*=UTF-8''{quote(name)}"
    return FileResponse(tmp, media_type=EXPORT_TYPES[fmt], headers={"Content-Disposition": disposition},
                        background=BackgroundTask(os.unlink, tmp))


@router.get("/rules", response_model=list[RuleOut], summary="全部审核规则")
def rules():
    return [{"code": r.code, "severity": r.severity.value, "group": r.group, "description": r.description}
            for r in checks.iter_codes()]
