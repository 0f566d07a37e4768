"""core.revision_memo: a value is served only under the revision it was built for."""

from core.revision_memo import RevisionMemo


def test_value_is_built_once_per_revision_and_again_when_it_moves():
    memo, built = RevisionMemo(), []

    def build(value):
        def run():
            built.append(value)
            return value

        return run

    assert memo.get(project_id=1, revision=10, build=build("a")) == "a"
    assert memo.get(project_id=1, revision=10, build=build("b")) == "a"
    assert memo.get(project_id=1, revision=11, build=build("c")) == "c"
    assert memo.get(project_id=2, revision=10, build=build("d")) == "d"  # projects are apart
    assert built == ["a", "c", "d"]


def test_memo_is_bounded():
    memo = RevisionMemo(limit=3)
    for project_id in range(5):
        memo.get(project_id=project_id, revision=0, build=lambda project_id=project_id: project_id)
    rebuilt = []
    assert memo.get(project_id=0, revision=0, build=lambda: rebuilt.append(0) or "new") == "new"
    assert rebuilt == [0]
    assert memo.get(project_id=4, revision=0, build=lambda: "unused") == 4
