from __future__ import annotations

from ingest.regions import Place, applies_in, document_place, places_in


def test_questions_name_provinces_cities_and_districts():
    assert [p.name for p in places_in("上海的职工代表大会多久开一次?")] == ["上海市"]
    assert [p.name for p in places_in("杭州出租车司机绕路怎么办")] == ["浙江省杭州市"]
    assert [p.name for p in places_in("海淀区的工会经费")] == ["北京市海淀区"]
    assert places_in("工会法规定了什么") == []


def test_a_rule_applies_in_its_own_place_and_the_places_inside_it():
    hangzhou = places_in("杭州")
    assert applies_in("", hangzhou)  # national law applies everywhere
    assert applies_in("浙江省", hangzhou) and applies_in("浙江省杭州市", hangzhou)
    assert not applies_in("浙江省宁波市", hangzhou) and not applies_in("上海市", hangzhou)
    assert Place("北京市").covers(Place("北京市", "", "海淀区"))
    assert not Place("北京市", "", "海淀区").covers(Place("北京市"))


def test_an_ambiguous_name_alone_decides_nothing():
    # 朝阳 is a city in 辽宁 and a district in 北京
    assert document_place("朝阳区物业管理办法") is None
    assert document_place("北京市朝阳区物业管理办法") == Place("北京市", "", "朝阳区")
