from __future__ import annotations

import pytest

from index.query import QueryExpander


def test_everyday_words_gain_their_statutory_terms():
    expander = QueryExpander.from_file()
    expanded = expander.expand("老板能把我辞退吗?")
    assert expanded.startswith("老板能把我辞退吗?")
    assert "用人单位" in expanded and "解除劳动合同" in expanded
    assert expanded.count("用人单位") == 1


def test_a_question_in_statutory_words_is_left_alone():
    assert QueryExpander.from_file().expand("罢免工会主席需要什么程序?") == "罢免工会主席需要什么程序?"


def test_malformed_table_line_is_reported(tmp_path):
    table = tmp_path / "t.tsv"
    table.write_text("# comment\n老板\n", "utf-8")
    with pytest.raises(ValueError, match=":2:"):
        QueryExpander.from_file(table)
