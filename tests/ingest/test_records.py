from ingest.records import chapter_kind


def test_the_standard_chapters_are_known_by_their_whole_name():
    assert chapter_kind(("劳动合同法", "第一章 总则")) == "general"
    assert chapter_kind(("民法典", "第一编 总则", "第三章 法人")) == "general"  # the innermost naming one
    assert chapter_kind(("劳动合同法", "第七章 法律责任")) == "liability"
    assert chapter_kind(("某条例", "第十章 奖励与处罚")) == "liability"
    assert chapter_kind(("某条例", "第八章 监督检查和法律责任")) == "liability"
    assert chapter_kind(("某条例", "第五章 罚 则")) == "liability"
    assert chapter_kind(("工会法", "附 则")) == "supplementary"
    assert chapter_kind(("民法典", "第二编 物权", "第一分编 总则")) == "general"


def test_a_heading_that_only_mentions_a_chapter_is_none_and_the_title_never_counts():
    assert chapter_kind(("某解释", "一、关于总则部分的解释")) == ""
    assert chapter_kind(("某法", "第三章 工会的权利和义务")) == ""
    assert chapter_kind(("总则",)) == ""
