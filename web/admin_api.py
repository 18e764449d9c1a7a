"""Admin REST API under /api/admin, behind a bearer token (the admin password)."""

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, Depends, File, HTTPException, Request, Response, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from index.library import ChangeReport, Library, LibraryError
from index.versions import IndexUnavailable
from ingest.loaders import MAX_FILE_BYTES
from web.auth import DISABLED_MESSAGE, AdminAuth
from web.schemas import (
    AuditList,
    ChangeReportModel,
    DocumentList,
    GapList,
    PreviewResponse,
    error_responses,
)
from web.usage import UsageStore

bearer = HTTPBearer(auto_error=False, description="管理员密码（ADMIN_PASSWORD）")
GAPS_CSV_EXAMPLE = (
    "question,count,refused,disliked,last_asked,examples\n"
    "公租房怎么申请?,3,2,1,2026-11-26T08:02:11+00:00,公租房怎么申请? | 怎么申请公租房?\n"
)
NOTHING_CHANGED = "没有任何改动：每个文件都未能入库（原因见 errors）"
CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **error_responses(401, 403, 409),
    422: {"model": ChangeReportModel, "description": NOTHING_CHANGED},
}
# An upload's 422 is either the report or FastAPI's own account of a malformed form.
UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    **CHANGE_RESPONSES,
    **error_responses(413),
    422: {
        "description": NOTHING_CHANGED + "；或表单格式不对",
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/ChangeReportModel"},
                        {"$ref": "#/components/schemas/HTTPValidationError"},
                    ]
                }
            }
        },
    },
}


def save_uploads(uploads: list[UploadFile], folder: Path) -> list[tuple[Path, str]]:
    """Uploaded files on disk under safe temporary names, each with the name the admin gave it."""
    saved = []
    for number, upload in enumerate(uploads):
        path = folder / f"upload-{number}"  # the loader reads the format from the upload's own name
        with open(path, "wb") as out:
            # Stop copying just past the limit: the loader then reports the file as too large.
            shutil.copyfileobj(_limited(upload.file, MAX_FILE_BYTES + 1), out)
        saved.append((path, upload.filename or ""))  # the name as given: check_name refuses ../ and the like
    return saved


class _limited:
    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self.stream, self.left = stream, limit

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        data = self.stream.read(self.left if size < 0 else min(size, self.left))
        self.left -= len(data)
        return data


def admin_router(library: Library, usage: UsageStore, auth: AdminAuth) -> APIRouter:
    def require_admin(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
    ) -> str:
        if not auth.enabled:
            raise HTTPException(status_code=403, detail=DISABLED_MESSAGE)
        client = request.client.host if request.client else "?"
        login = auth.attempt(client, credentials.credentials if credentials else None)
        if login.retry_after:
            raise HTTPException(status_code=429, detail=login.message, headers={"Retry-After": str(login.retry_after)})
        if not login.ok:
            raise HTTPException(
                status_code=401,
                detail="需要管理员凭据：Authorization: Bearer <管理员密码>",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return f"api:{client}"

    router = APIRouter(
        prefix="/api/admin",
        tags=["admin"],
        responses=error_responses(401, 403),
    )
    Admin = Annotated[str, Depends(require_admin)]

    def run(change: Callable[[], ChangeReport]) -> JSONResponse:
        try:
            report = change()
        except LibraryError as exc:
            return JSONResponse(status_code=404 if "没有找到" in str(exc) else 409, content={"detail": str(exc)})
        except IndexUnavailable as exc:
            return JSONResponse(status_code=409, content={"detail": str(exc)})
        status = 200 if report.changed or not report.errors else 422
        return JSONResponse(status_code=status, content=report.to_dict())

    @router.get("/documents", summary="文档列表", response_model=DocumentList)
    def documents(_: Admin) -> dict:
        return {"documents": library.documents()}

    @router.post(
        "/documents",
        summary="上传文档（可多个）",
        response_model=ChangeReportModel,
        responses=UPLOAD_RESPONSES,
    )
    def add(actor: Admin, files: Annotated[list[UploadFile], File(description=".md .txt .docx .pdf .html")]):
        with tempfile.TemporaryDirectory(prefix="upload-") as folder:
            return run(lambda: library.add(save_uploads(files, Path(folder)), actor))

    @router.put(
        "/documents/{doc}",
        summary="用新文件替换文档",
        response_model=ChangeReportModel,
        responses={**UPLOAD_RESPONSES, **error_responses(404)},
    )
    def replace(doc: str, actor: Admin, file: Annotated[UploadFile, File()]):
        with tempfile.TemporaryDirectory(prefix="upload-") as folder:
            return run(lambda: library.replace(doc, save_uploads([file], Path(folder))[0], actor))

    @router.delete(
        "/documents/{doc}",
        summary="删除文档",
        response_model=ChangeReportModel,
        responses={**CHANGE_RESPONSES, **error_responses(404)},
    )
    def remove(doc: str, actor: Admin):
        return run(lambda: library.remove(doc, actor))

    @router.get(
        "/documents/{doc}/preview",
        summary="文档的切分结果（章/节/条与段落边界）",
        response_model=PreviewResponse,
        responses=error_responses(404),
    )
    def preview(doc: str, _: Admin) -> dict:
        try:
            chunks = library.preview(doc)
        except LibraryError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        return {"chunks": [c.to_dict() for c in chunks]}

    @router.post(
        "/rebuild", summary="从已存文本重新切分、重建索引", response_model=ChangeReportModel, responses=CHANGE_RESPONSES
    )
    def rebuild(actor: Admin):
        return run(lambda: library.rebuild(actor))

    @router.post(
        "/rollback", summary="回滚到上一个索引版本", response_model=ChangeReportModel, responses=CHANGE_RESPONSES
    )
    def rollback(actor: Admin):
        return run(lambda: library.rollback(actor))

    @router.get("/audit", summary="管理操作日志", response_model=AuditList)
    def audit(_: Admin) -> dict:
        return {"entries": library.audit()}

    @router.get("/gaps", summary="缺口报告：被拒答或被点踩的问题（按相似度归并）", response_model=GapList)
    def gaps(_: Admin) -> dict:
        return {"gaps": usage.gaps()}

    @router.get(
        "/gaps.csv",
        summary="缺口报告 CSV",
        response_class=Response,  # no default media type: the 200 is text/csv only, the errors stay JSON
        responses={
            200: {
                "description": "UTF-8 CSV，首行为列名",
                "content": {"text/csv": {"schema": {"type": "string"}, "example": GAPS_CSV_EXAMPLE}},
            }
        },
    )
    def gaps_csv(_: Admin) -> PlainTextResponse:
        return PlainTextResponse(
            usage.gaps_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="gaps.csv"'},
        )

    return router
