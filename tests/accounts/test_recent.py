from accounts.recent import RecentItems


def test_keeps_the_most_recently_stored():
    items = RecentItems(3)
    for key in "abcd":
        items.store(key, key.upper())
    assert list(items.items()) == [("b", "B"), ("c", "C"), ("d", "D")]
    items.store("b", "B2")  # storing again makes it the newest
    items.store("e", "E")
    assert list(items) == ["d", "b", "e"] and items["b"] == "B2"
