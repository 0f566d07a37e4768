from core.recent import RecentItems


def test_keeps_the_most_recently_stored():
    items = RecentItems(3)
    for key in "abcd":
        items.store(key, key.upper())
    assert list(items.items()) == [("b", "B"), ("c", "C"), ("d", "D")]
    items.store("b", "B2")  # storing again makes it the newest
    items.store("e", "E")
    assert list(items) == ["d", "b", "e"] and items["b"] == "B2"


def test_weighs_entries_when_told_how():
    items = RecentItems(10, weigh=len)
    items.store("a", b"12345")
    items.store("b", b"1234")
    assert items.weight == 9
    items.store("c", b"12")  # 11 > 10: the oldest goes
    assert list(items) == ["b", "c"] and items.weight == 6
    items.store("b", b"123456789")  # replacing drops the old weight; 2 + 9 > 10 evicts "c"
    assert list(items) == ["b"] and items.weight == 9
    items.store("huge", b"x" * 11)  # heavier than the whole limit: not kept, nothing evicted
    assert list(items) == ["b"]
    items.clear()
    assert items.weight == 0
