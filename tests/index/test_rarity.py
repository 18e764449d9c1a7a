from __future__ import annotations

from index.rarity import rarity


def test_everyday_words_tell_less_than_rare_legal_terms():
    assert rarity("公司") < rarity("结婚") < rarity("哺乳") < rarity("保理")


def test_a_word_no_dictionary_knows_counts_as_the_rarest():
    unknown = rarity("不存在的词xyz")
    assert unknown == rarity("12351") >= rarity("保理")
    assert unknown > rarity("工资") + 5
