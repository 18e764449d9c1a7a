from __future__ import annotations

from index.rarity import rarity


def test_everyday_words_tell_less_than_rare_ones():
    # all four are in jieba's dictionary
    assert rarity("公司") < rarity("结婚") < rarity("哺乳") < rarity("产假")


def test_a_chinese_word_the_dictionary_lacks_counts_as_the_rarest():
    assert rarity("保理") == rarity("不存在的词") > rarity("产假")  # 保理 is not in jieba's dictionary


def test_numbers_and_latin_words_it_lacks_count_as_a_typical_word():
    assert rarity("4000") == rarity("2年") == rarity("app")
    assert rarity("公司") < rarity("4000") < rarity("产假")


def test_lookup_ignores_case_as_the_tokenizer_does():
    assert rarity("B超") == rarity("b超") < rarity("保理")
