from __future__ import annotations

import pytest

from ingest import records
from ingest.metadata import describe, read_dates
from ingest.splitter import count_articles


@pytest.mark.parametrize(
    ("name", "source", "kind", "region"),
    [
        ("工会法(2021-12-24).md", None, records.LAW, ""),
        ("工伤保险条例(2010-12-20).md", None, records.ADMIN_REGULATION, ""),
        ("企业职工带薪年休假实施办法(2008-07-17).md", None, records.DEPARTMENT_RULE, ""),
        ("北京市集体合同条例.md", None, records.LOCAL_REGULATION, "北京市"),
        ("河南省工会条例(2004-09-25).md", None, records.LOCAL_REGULATION, "河南省"),
        (
            "最高人民法院关于在民事审判工作中适用《工会法》若干问题的解释(2020-12-29).md",
            None,
            records.JUDICIAL_INTERPRETATION,
            "",
        ),
        ("案例/加班费的仲裁时效应当如何认定.md", "案例/加班费的仲裁时效应当如何认定.md", records.CASE, ""),
        ("认真学习贯彻党的二十届四中全会精神-齐静.txt", None, records.ARTICLE, ""),
    ],
)
def test_kind_and_region(corpus_file, name, source, kind, region):
    text = corpus_file(name).read_text("utf-8")
    doc = describe(text, source or name, count_articles(text) >= 2)
    assert (doc.kind, doc.region) == (kind, region)


def test_dates_from_header_and_file_name(corpus_file):
    text = corpus_file("工会法(2021-12-24).md").read_text("utf-8")
    doc = describe(text, "工会法(2021-12-24).md", True)
    assert (doc.promulgated, doc.revised, doc.date) == ("1992-04-03", "2021-12-24", "2021-12-24")


def test_effective_date_is_not_a_revision():
    header = "# 劳动保障监察条例\n\n2004年10月26日 国务院第68次常务会议通过\n\n2004年12月1日 施行\n"
    assert read_dates(header, "劳动保障监察条例.md") == ("2004-10-26", "", "2004-10-26")


def test_title_falls_back_to_file_name_without_date():
    doc = describe("没有标题的正文。", "某某规定(2020-01-02).txt", False)
    assert doc.title == "某某规定" and doc.date == "2020-01-02"


@pytest.mark.parametrize(
    ("title", "source", "kind", "region"),
    [
        # a district's rules are a local normative document of that district, placed in its city
        ("海淀区职工劳动权益保障办法", "海淀区职工劳动权益保障办法.md", records.LOCAL_NORMATIVE, "北京市海淀区"),
        ("杭州市客运出租汽车管理条例", "杭州市客运出租汽车管理条例.md", records.LOCAL_REGULATION, "浙江省杭州市"),
        (
            "深圳经济特区数据条例",
            "DLC/广东地方法规/地方性法规/广东/深圳经济特区数据条例.md",
            records.LOCAL_REGULATION,
            "广东省深圳市",
        ),
        # the laws corpus names the province in its folders when the title does not
        (
            "物业服务收费办法",
            "DLC/山东地方法规/地方性法规/山东/物业服务收费办法.md",
            records.LOCAL_REGULATION,
            "山东省",
        ),
        ("中华人民共和国劳动合同法", "劳动合同法.md", records.LAW, ""),
    ],
)
def test_region_knows_cities_districts_and_folders(title, source, kind, region):
    doc = describe(f"# {title}\n\n<!-- INFO END -->\n\n第一条 甲。\n\n第二条 乙。\n", source, True)
    assert (doc.kind, doc.region) == (kind, region)
