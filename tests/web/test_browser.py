"""End to end in headless Chromium: ask in the chat, see a cited answer; hostile text stays text."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS, viewport={"width": 390, "height": 844}
        )
        yield context
        context.close()


def ask(page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()


def test_worker_asks_the_seed_question_and_sees_cited_regulations(live_app, browser):
    page = browser.new_page()
    page.goto(live_app["url"] + "/")
    ask(page, "北京工会要修改哪些法规?")
    answer = page.locator("#chat .message.bot, #chat [data-testid='bot']").last
    answer.get_by_text("北京市集体合同条例").first.wait_for(timeout=60_000)
    page.locator("#sources .source-card").first.wait_for(timeout=30_000)
    assert "北京市集体合同条例" in page.locator("#sources").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-seed-question.png"), full_page=True)

    page.locator("#chat button[aria-label='Like']").last.click()
    page.get_by_text("谢谢反馈").first.wait_for(timeout=10_000)
    with sqlite3.connect(live_app["usage_db"]) as db:
        rows = db.execute("SELECT rating, question, citations FROM feedback").fetchall()
    assert rows and rows[-1][0] == 1 and rows[-1][1] == "北京工会要修改哪些法规?" and "齐静" in rows[-1][2]


def test_document_text_is_escaped_not_executed(live_app, browser):
    page = browser.new_page()
    page.goto(live_app["url"] + "/")
    ask(page, "测试用恶意条例第一条的链接和脚本是什么?")
    page.locator("#sources .source-card").first.wait_for(timeout=60_000)
    assert page.evaluate("window.__xss") is None
    assert page.locator("a[href*='evil.example']").count() == 0
    assert page.locator("#chat img[src='x'], #sources img").count() == 0
    assert "<script>" in page.locator("#sources").inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat-escaping.png"), full_page=True)


def test_admin_logs_in_and_uploads_a_document(live_app, browser, tmp_path):
    from tests.web.conftest import ADMIN_PASSWORD

    document = tmp_path / "重庆市职工互助保障办法(2030-01-01).md"
    document.write_text(
        "# 重庆市职工互助保障办法\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n"
        "第一条 为了测试管理员上传，制定本办法。\n\n第二条 职工互助保障由工会组织实施。\n",
        "utf-8",
    )
    page = browser.new_page()
    page.goto(live_app["url"] + "/")
    page.get_by_role("tab", name="管理").click()
    page.locator("#admin-password input").fill("wrong")
    page.locator("#admin-login").click()
    page.get_by_text("密码不对").wait_for(timeout=10_000)
    assert not page.locator("#admin-upload").is_visible()

    page.locator("#admin-password input").fill(ADMIN_PASSWORD)
    page.locator("#admin-login").click()
    page.get_by_text("已登录").wait_for(timeout=10_000)
    page.locator("input[type=file]").first.set_input_files(str(document))
    page.locator("#admin-upload").click()
    page.locator("#admin-result").get_by_text("已入库").wait_for(timeout=60_000)
    assert "重庆市职工互助保障办法" in page.locator("#admin-documents").inner_text()
    page.screenshot(path=str(ARTIFACTS / "admin-upload.png"), full_page=True)


def test_trainer_opens_an_article_link_then_takes_a_quiz(live_app, browser):
    import httpx

    from tests.web.conftest import ADMIN_PASSWORD

    documents = httpx.get(
        f"{live_app['url']}/api/admin/documents", headers={"Authorization": f"Bearer {ADMIN_PASSWORD}"}
    ).json()["documents"]
    union_law = next(d["doc_id"] for d in documents if d["title"] == "中华人民共和国工会法")

    page = browser.new_page()
    page.goto(f"{live_app['url']}/?doc={union_law}&art=第十条")
    focused = page.locator("#browse-outline .article.focus")
    focused.wait_for(timeout=30_000)
    assert focused.inner_text().startswith("第十条")
    assert "第二章 工会组织" in page.locator("#browse-outline").inner_text()

    page.locator("#browse-doc input").fill("女职工劳动保护")  # browsing by hand: type to filter the catalogue
    page.locator("#browse-doc [role=option]").first.wait_for(timeout=10_000)
    page.keyboard.press("Enter")
    page.locator("#browse-outline").get_by_text("1小时哺乳时间").wait_for(timeout=30_000)

    page.get_by_role("tab", name="测验").click()
    page.locator("#quiz-make").click()
    first = page.locator("#quiz-q0")
    first.get_by_text("____").first.wait_for(timeout=30_000)
    choice = page.locator("#quiz-choice0")
    if choice.is_visible():
        choice.locator("label").first.click()
    else:
        page.locator("#quiz-blank0 textarea, #quiz-blank0 input").first.fill("不知道")
    page.locator("#quiz-submit").click()
    page.locator("#quiz-score").get_by_text("得分").wait_for(timeout=10_000)
    score = page.locator("#quiz-score").inner_text()
    right, total = map(int, score.split("：")[1].split("/"))
    assert total == 5 and 0 <= right <= 1  # only the first question was answered
    assert page.locator("#quiz-mistakes mark").count() >= total - 1  # each mistake shows its fact highlighted
    page.screenshot(path=str(ARTIFACTS / "study-quiz.png"), full_page=True)


@pytest.mark.parametrize(("page_path", "rendered"), [("/docs", ".swagger-ui .opblock"), ("/redoc", ".redoc-wrap")])
def test_api_docs_render_with_the_network_off(live_app, browser, page_path, rendered):
    """Only the app itself is reachable: every request elsewhere is refused, and none may be needed."""
    page = browser.new_page()
    elsewhere: list[str] = []

    def only_the_app(route):
        if route.request.url.startswith((live_app["url"], "data:", "blob:")):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", only_the_app)
    page.goto(live_app["url"] + page_path)
    page.locator(rendered).first.wait_for(timeout=30_000)
    page.get_by_text("/v1/chat/completions").first.wait_for(timeout=30_000)
    assert elsewhere == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"api-docs-{page_path.strip('/')}.png"), full_page=False)
