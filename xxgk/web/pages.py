"""The desk's pages (Chinese, rendered on the server; the little script in static/app.js only
makes them smoother — every action also works without it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .. import checks
from ..report import Severity
from . import charts, views
from .filters import finding_filters, query, report_filters, safe_next
from .security import csrf_token, current_user, require_csrf, require_writer, sign_in, sign_out
from .uploads import UploadRefused

router = APIRouter(include_in_schema=False)

OUTCOMES = (("granted_share", "予以公开"), ("partially_granted_share", "部分公开"), ("withheld_share", "不予公开"),
            ("unavailable_share", "无法提供"), ("rejected_share", "不予处理"), ("other_share", "其他处理"))


def context(request: Request, **kw) -> dict[str, Any]:
    settings = request.app.state.settings
    return {
        "request": request,
        "csrf": csrf_token(request),
        "user": current_user(request),
        "can_write": not settings.read_only and (not settings.auth or current_user(request) is not None),
        "severity_cn": views.SEVERITY_CN,
        "review_cn": views.REVIEW_CN,
        "status_cn": views.STATUS_CN,
        **kw,
    }


def render(request: Request, template: str, status: int = 200, **kw) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, template, context(request, **kw), status_code=status)


def _store(request: Request):
    return request.app.state.store


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() and len(raw) < 7 else 1


def _rules() -> list[dict[str, str]]:
    return [{"code": r.code, "severity": r.severity.value, "description": r.description} for r in checks.iter_codes()]


def _levels() -> tuple[str, ...]:
    from .. import agency

    return tuple(getattr(agency, "LEVELS", ()))


# ---- overview, reports ---------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    store = _store(request)
    counts = store.counts()  # files and reports, as every command says them
    stats = store.stats(all_versions=True)  # the desk counts files to review, not organs
    overall = stats.groups[0] if stats.groups else None
    return render(request, "index.html", total=counts.files, counts=counts, overall=overall,
                  not_reports=stats.not_reports, failures=store.failures()[-10:])


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request):
    store = _store(request)
    f, shown = report_filters(request.query_params)
    size = request.app.state.settings.page_size
    page = _page(request)
    total = store.count(**f)
    rows = store.reports(limit=size, offset=(page - 1) * size, order="agency", **f)
    return render(request, "reports.html", rows=rows, total=total, page=page, pages=max(1, -(-total // size)),
                  shown=shown, q=query(shown), levels=_levels(), rules=_rules())


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, report_id: int = Path(ge=1, le=2**31 - 1), cell: str | None = None):
    store = _store(request)
    summary = store.summary(report_id)
    if summary is None:
        return render(request, "error.html", status=404, detail=f"没有编号为{report_id}的报告")
    report = store.report(report_id)
    rank = {"error": 0, "warning": 1, "info": 2}
    found = sorted(store.findings(report_id=report_id), key=lambda f: rank.get(f.severity, 9))  # stable
    fdicts = [{"severity": f.severity, "where": f.where, "message": f.message} for f in found]
    lines = report.lines or None
    tables = views.table_views(report, fdicts)
    sections = views.section_views(report, fdicts, lines)
    source = None
    if cell:
        slot = views.parse_slot(cell)
        source = views.cell_source(report, slot, lines) if slot else None
    return render(request, "report.html", summary=summary, report=report, findings=found, tables=tables,
                  sections=sections, source=source, meta_sources=views.meta_sources(report), has_lines=bool(lines), next_url=str(request.url.path))


# ---- findings and reviews ------------------------------------------------------------------------


@router.get("/findings", response_class=HTMLResponse)
def findings(request: Request):
    store = _store(request)
    f, shown = finding_filters(request.query_params)
    size = request.app.state.settings.page_size
    page = _page(request)
    try:
        rows = store.findings(limit=size + 1, offset=(page - 1) * size, **f)
    except (ValueError, TypeError) as exc:
        return render(request, "error.html", status=400, detail=f"筛选条件有误：{exc}")
    more = len(rows) > size
    here = request.url.path + ("?" + request.url.query if request.url.query else "")
    return render(request, "findings.html", rows=rows[:size], more=more, page=page, shown=shown, q=query(shown),
                  rules=_rules(), levels=_levels(), next_url=here)


@router.post("/review")
async def review(request: Request, user: str | None = Depends(require_writer)):
    form = await request.form()
    key = str(form.get("key") or "")
    status = str(form.get("status") or "")
    comment = str(form.get("comment") or "").strip()[:2000] or None
    back = safe_next(str(form.get("next") or ""), "/findings")
    store = _store(request)
    if status == "clear":
        store.clear_review(key)
    elif status in views.REVIEW_CN:
        try:
            store.review(key, status, comment, user)
        except KeyError:
            return render(request, "error.html", status=404, detail="没有这条审核意见（报告可能已被删除）")
    else:
        return render(request, "error.html", status=400, detail="请选择“确认”或“驳回”")
    anchor = f"#f-{key}" if "#" not in back else ""
    return RedirectResponse(back + anchor, status_code=303)


# ---- upload and ingest ---------------------------------------------------------------------------


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request):
    return render(request, "upload.html", limits=request.app.state.settings.limits)


@router.post("/upload")
async def upload(request: Request, user: str | None = Depends(require_writer)):
    from .api import start_upload

    form = await request.form(max_files=request.app.state.settings.limits.max_files + 10)
    files = [v for v in form.getlist("files") if not isinstance(v, str)]
    try:
        job = await start_upload(request, files, user)
    except UploadRefused as exc:
        return render(request, "upload.html", status=exc.status, limits=request.app.state.settings.limits,
                      error=str(exc))
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str):
    job = request.app.state.jobs.get(job_id)
    if job is None:
        return render(request, "error.html", status=404, detail="没有这个上传任务（服务重启后任务记录不保留，已入库的报告仍在库中）")
    return render(request, "job.html", job=job)


# ---- corpus, agency, export ----------------------------------------------------------------------


@router.get("/corpus", response_class=HTMLResponse)
def corpus(request: Request):
    store = _store(request)
    f, shown = report_filters(request.query_params)
    f.pop("q", None)
    by_year = store.stats(by="year", **f)
    overall = store.stats(**f)
    g = overall.groups[0] if overall.groups else None
    years = [(str(x.key), x.totals["new_received"]) for x in by_year.groups if x.key is not None]
    shares = [(label, g.rates.get(key)) for key, label in OUTCOMES] if g else []
    codes = sorted(((c, n) for c, n in (g.findings.items() if g else []) if overall.severities.get(c) == "error"),
                   key=lambda kv: (-kv[1], kv[0]))
    warn = sorted(((c, n) for c, n in (g.findings.items() if g else []) if overall.severities.get(c) == "warning"),
                  key=lambda kv: (-kv[1], kv[0]))
    chart_years = charts.bar_chart(years, title="各年度新收政府信息公开申请数", unit="件")
    chart_shares = charts.share_bar(shares, title="办理结果占比（占本年办结总数）")
    chart_codes = charts.hbar_chart(codes[:15], title="错误类审核意见：涉及报告数", unit="份")
    chart_warn = charts.hbar_chart(warn[:15], title="警告类审核意见：涉及报告数", unit="份", color=charts.PALETTE[2])
    return render(request, "corpus.html", shown=shown, q=query(shown), overall=g, by_year=by_year,
                  not_reports=overall.not_reports, files=(g.reports if g else 0) + overall.not_reports + overall.duplicates,
                  levels=_levels(), chart_years=chart_years,
                  chart_shares=chart_shares, chart_codes=chart_codes, chart_warn=chart_warn, rules=_rules())


@router.get("/agency", response_class=HTMLResponse)
def agency(request: Request, name: str = ""):
    name = name.strip()[:100]
    if not name:
        return RedirectResponse("/reports", status_code=303)
    store = _store(request)
    hist = store.history(name)
    table_rows = _history_rows(hist)
    from ..agency import same_agency
    from ..form import fmt
    from ..store.core import FORMAT_CN, counted_versions  # one year in several files: name each column

    consolidated = store.consolidation(name)
    parents = list(dict.fromkeys(p for p, c in store.tree() if same_agency(c, name)))  # it is summed into these
    return render(request, "agency.html", name=name, hist=hist, table_rows=table_rows,
                  counted=counted_versions(hist.reports), formats=FORMAT_CN, consolidated=consolidated,
                  parents=parents, fmt=lambda v: "" if v is None else fmt(v))


def _history_rows(hist) -> list[dict[str, Any]]:
    """Rows of the side-by-side table: one per canonical cell that any year states."""
    from .. import template as T
    from ..form import fmt

    out = []
    seen = set()
    for tid in sorted(T.TEMPLATES, key=lambda t: t != T.LATEST):
        tpl = T.get(tid)
        for table in tpl.tables:
            for row, col in table.cells():
                key = (table.key, row.id, col.id)
                if key in seen or key not in hist.values:
                    continue
                seen.add(key)
                per = hist.values[key]
                vals = [per.get(r.id) for r in hist.reports]
                if all(v is None for v in vals):
                    continue
                out.append({"table": table.name, "row": row.name, "col": col.label,
                            "main": table.key != "requests" or col.id == "total",
                            "values": [fmt(v) for v in vals], "differs": len({v for v in vals if v is not None}) > 1})
    return out


# ---- review opinions (xxgk.notice) -----------------------------------------------------------------

NOTICE_LIMIT = 500  # reports per zip of review opinions


def _attachment(data: bytes, name: str, media: str, ascii_name: str) -> Response:
    from urllib.parse import quote

    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media, headers={"Content-Disposition": disposition})


@router.get("/reports/{report_id}/notice.docx")
def report_notice(request: Request, report_id: int = Path(ge=1, le=2**31 - 1)):
    """下载审核意见: the review opinion of one report (DOCX), dismissed findings left out."""
    from .. import notice

    store = _store(request)
    if store.summary(report_id) is None:
        return render(request, "error.html", status=404, detail=f"没有编号为{report_id}的报告")
    subject = notice.subject_of(store, report_id)
    if not subject.needs_notice:
        return render(request, "error.html", status=404, detail="这份报告没有需要整改或修改的问题（或均已排除），无需审核意见")
    name = notice.file_name(subject, set())
    return _attachment(notice.to_docx(subject), name, DOCX_TYPE, f"notice-{report_id}.docx")


@router.get("/notices.zip")
def notices_zip(request: Request):
    """下载审核意见 for the filtered selection: a zip of every DOCX and 审核汇总.xlsx."""
    from .. import notice

    store = _store(request)
    f, _ = report_filters(request.query_params)
    n = store.count(is_report=True, **f)
    if n == 0:
        return render(request, "error.html", status=404, detail="当前筛选没有报告")
    if n > NOTICE_LIMIT:
        return render(request, "error.html", status=400, detail=f"当前筛选有{n}份报告，一次最多{NOTICE_LIMIT}份，请缩小筛选范围")
    data = notice.zip_batch(notice.from_store(store, **f))
    return _attachment(data, "审核意见.zip", "application/zip", "notices.zip")


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/export")
def export(request: Request, format: str = "csv"):
    from .api import export_response

    f, _ = report_filters(request.query_params)
    return export_response(request, format, f)


# ---- sign in -------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    return render(request, "login.html", next_url=safe_next(next))


@router.post("/login", dependencies=[Depends(require_csrf)])
async def login(request: Request):
    form = await request.form()
    name = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    back = safe_next(str(form.get("next") or ""))
    refused = sign_in(request, name, password)
    if refused:
        response = render(request, "login.html", status=refused.status, next_url=back, error=refused.message, username=name)
        response.headers.update(refused.headers() or {})
        return response
    return RedirectResponse(back, status_code=303)


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(request: Request):
    sign_out(request)
    return RedirectResponse("/", status_code=303)


@router.get("/rules", response_class=HTMLResponse)
def rules(request: Request):
    return render(request, "rules.html", rules=_rules(), sev=Severity)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return Response(status_code=204)
