"""Tour search on SQLite: an FTS5 trigram index picks the candidates, pg_trgm's scores rank them.

PostgreSQL serves search from GIN trigram indexes. SQLite has pg_trgm's functions only as Python
(`tours.services.trigram`), so without an index every row of the project is scored in Python. Here:

1. **The index.** `tours_search_name` and `tours_search_description` are FTS5 tables (`trigram`
   tokenizer, case-sensitive, row ids only) holding, per tour, the column as its pg_trgm *document*:
   the lower-cased words, each padded as pg_trgm pads them (`"  word "`), one after the other. Every
   pg_trgm trigram of the column is a three-character window of that document, so FTS5 finds it; the
   only other windows straddle two words (`"d  "`, `"   "`), and no trigram of a search term has that
   shape. `tours_search_doc` gives each tour an integer key (SQLite may renumber the rowids of a table
   whose primary key is not one, e.g. on VACUUM), grouped by project so that a search reads only its
   project's postings (`project_keys`). Triggers on `tours_producttour` keep it in step with every
   write (ORM, `update()`, raw SQL, deletes). They call `tour_search_document`, which every Django
   connection registers (tours/apps.py): another SQLite client (`manage.py dbshell`) cannot add a
   tour or change a name or description ("no such function") rather than leave the index behind.
   Created by migrations 0007-0009 when this SQLite has FTS5 with the trigram tokenizer (3.34+);
   without it, search scores every row of the project.
2. **Candidates.** `word_similarity(term, col)` is the best `c / (n + u - c)` over extents of
   `col`, with `n` the term's distinct trigrams, `u` an extent's and `c` those they share, so it is
   at most `shared / n`, `shared` counting the term's trigrams found anywhere in `col`. A row can
   pass the similarity filter only if `shared` reaches the smallest count whose ratio passes it;
   the index counts `shared` per column (one FTS5 lookup per term trigram), so the candidates are a
   superset of the matches and the exact filter then runs on them alone.
3. **Scores.** The filter and the ranking are the PostgreSQL expressions over the same three values
   (`word_similarity` of name and of description, `similarity` of name); the functions that give
   them here compute all three for a row at once (`tours.services.trigram`, equal to the
   reference) and remember them for the rest of the search, so a row costs one computation.
4. **Literal matches** (`icontains`, LIKE) are tested on the rows whose documents hold every three
   consecutive alphanumerics of the term, when it has some and is ASCII (`literal_candidates`).
"""

import logging
from collections.abc import Callable

from tours.services import trigram

logger = logging.getLogger(__name__)

DOC_TABLE = "tours_search_doc"
COLUMN_TABLES = {"name": "tours_search_name", "description": "tours_search_description"}
DOCUMENT_FUNCTION = "tour_search_document"
TRIGGERS = ("tours_search_insert", "tours_search_update", "tours_search_delete")
# A tour's key in the index: `(project_id mod 2**31) * 2**32 + n` (migration 0009's triggers), so a project's
# entries form one range and FTS5 reads only its postings. Ranges may be shared (ids past 2**31), never split.
_PROJECT_SPAN = 2**32
# Row functions: (term, name, description) -> one of the row's three values.
NAME_WORD_SIMILARITY = "tour_search_name_word_similarity"
NAME_SIMILARITY = "tour_search_name_similarity"
DESCRIPTION_WORD_SIMILARITY = "tour_search_description_word_similarity"

_READY_SQL = (
    "SELECT count(*) FROM sqlite_master WHERE (type = 'table' AND name IN (%s, %s, %s))"
    " OR (type = 'trigger' AND tbl_name = 'tours_producttour' AND name IN (%s, %s, %s))"
)
_warned_not_ready = False
_ROW_SCORES = "_tour_search_row_scores"  # the connection's _RowScores, an attribute of Django's wrapper


def document(text: str | None) -> str:
    """A column's pg_trgm document: its lower-cased words, each padded with two spaces before, one after."""
    if text is None:
        return ""
    return "".join([f"  {word} " for word in trigram.words_lowered(text)])


def index_ready(connection) -> bool:
    """The index exists with its triggers (a table rebuilt by a later migration would have lost them)."""
    global _warned_not_ready
    with connection.cursor() as cursor:
        cursor.execute(_READY_SQL, [DOC_TABLE, *COLUMN_TABLES.values(), *TRIGGERS])
        ready = cursor.fetchone()[0] == 1 + len(COLUMN_TABLES) + len(TRIGGERS)
    if not ready and not _warned_not_ready:
        _warned_not_ready = True
        logger.warning("tour search: no SQLite trigram index (see tours/services/search_sqlite.py); scoring every row")
    return ready


def _min_shared(unique_needle: int, passes: Callable[[float], bool]) -> int | None:
    """The fewest shared trigrams whose ceiling `shared / unique_needle` (rounded as scores are) passes."""
    for shared in range(1, unique_needle + 1):
        if passes(trigram.ratio(shared, unique_needle, shared)):
            return shared
    return None


def project_keys(project_id: int | None) -> tuple[int, int] | None:
    """The index keys of a project's tours, `low < key < high`; None: search the whole index."""
    if project_id is None or project_id < 0:  # SQLite's % keeps the sign: negative ids are not grouped
        return None
    low = (project_id % 2**31) * _PROJECT_SPAN
    return low, low + _PROJECT_SPAN


def _phrase(trigram: str) -> str:
    return '"' + trigram.replace('"', '""') + '"'


def _tour_rowids(documents_sql: str) -> str:
    """Rowids of `tours_producttour` for the index documents `documents_sql` selects.

    Rowids, not ids: an index on the project holds the rowid, so the outer query can test the project's
    rows without reading them (the rows are large: each read costs a page), or look up the candidates.
    """
    return (
        f"SELECT t.rowid FROM {DOC_TABLE} AS d JOIN tours_producttour AS t ON t.id = d.tour_id"
        f" WHERE d.id IN ({documents_sql})"
    )


def similar_candidates(
    *,
    term: str,
    name_passes: Callable[[float], bool],
    description_passes: Callable[[float], bool],
    project_id: int | None = None,
) -> tuple[str, list] | None:
    """SQL selecting the rowids of tours that may pass the similarity filter, or None when none can.

    `name_passes(ws)` / `description_passes(ws)`: the filter's test of a word similarity, which must be
    monotonic (a higher similarity never fails where a lower one passes). A tour is a candidate when a
    column shares enough of the term's trigrams for its ceiling to pass that column's test. With
    `project_id`, only that project's tours (the caller's rows must all be that project's).
    """
    needle = sorted(set(trigram.trigrams_sequence(term)))
    phrases = [_phrase(trigram) for trigram in needle]
    keys = project_keys(project_id)
    selects: list[str] = []
    params: list = []
    for column, passes in (("name", name_passes), ("description", description_passes)):
        minimum = _min_shared(len(needle), passes)
        if minimum is None:
            continue
        table = COLUMN_TABLES[column]
        values = ", ".join(["(%s)"] * len(phrases))
        within = f" AND {table}.rowid > %s AND {table}.rowid < %s" if keys else ""
        selects.append(
            f"SELECT * FROM (SELECT {table}.rowid FROM (VALUES {values}) AS q JOIN {table} ON {table} MATCH q.column1"
            f"{within} GROUP BY {table}.rowid HAVING count(*) >= %s)"
        )
        params += [*phrases, *(keys or ()), minimum]
    if not selects:
        return None
    return _tour_rowids(" UNION ALL ".join(selects)), params


def literal_candidates(term: str, *, project_id: int | None = None) -> tuple[str, list] | None:
    """SQL selecting the rowids of tours that may contain `term` as SQLite's `icontains` finds it, or None
    when the index cannot narrow them down.

    For an ASCII term (LIKE folds ASCII case only, so a match is the same ASCII characters up to case),
    every three consecutive alphanumerics of the term lie inside one word of the column, and so, lower-
    cased, inside its document. The index can ask for them only if the term has such a run. With
    `project_id`, only that project's tours (the caller's rows must all be that project's).
    """
    if not term.isascii():
        return None
    windows = sorted({run[i : i + 3] for run in trigram.words_lowered(term) for i in range(len(run) - 2)})
    if not windows:
        return None
    every = " AND ".join(_phrase(window) for window in windows)
    keys = project_keys(project_id)
    within = " AND rowid > %s AND rowid < %s" if keys else ""
    documents = " UNION ALL ".join(
        f"SELECT rowid FROM {table} WHERE {table} MATCH %s{within}" for table in COLUMN_TABLES.values()
    )
    return _tour_rowids(documents), [every, *(keys or ())] * len(COLUMN_TABLES)


class _RowScores:
    """A row's three values for a term, remembered for the rows scored with that term (one connection's).

    A memo of a pure function of its arguments (term, name, description), so never stale: it saves
    computing each match twice, as SQLite evaluates a search's filter on every row before it evaluates
    the sort key of any (the page query counts the matches with a window function). Bounded; forgotten
    when the term changes and when a search starts (`row_scores_forget`): no search reuses another's.
    """

    LIMIT = 4096

    def __init__(self) -> None:
        self._term: str | None = None
        self._needle: frozenset[str] = frozenset()
        self._rows: dict[tuple[str, str], tuple[float, float, float]] = {}

    def forget(self) -> None:
        self._term, self._needle, self._rows = None, frozenset(), {}

    def __call__(self, term: str, name: str, description: str) -> tuple[float, float, float]:
        if term != self._term:
            self._term, self._needle, self._rows = term, frozenset(trigram.trigrams_sequence(term)), {}
        row = (name, description)
        scores = self._rows.get(row)
        if scores is None:
            if len(self._rows) >= self.LIMIT:
                self._rows.clear()
            needle = self._needle
            name_trigrams = trigram.trigrams_sequence(name)
            scores = self._rows[row] = (
                trigram.word_similarity(needle, name_trigrams),
                trigram.similarity(frozenset(name_trigrams), needle),
                trigram.word_similarity(needle, trigram.trigrams_sequence(description)),
            )
        return scores


def row_scores_forget(connection) -> None:
    """Start a search with nothing remembered from an earlier one on this connection."""
    scores = getattr(connection, _ROW_SCORES, None)
    if scores is not None:
        scores.forget()


def functions_register(connection) -> None:
    """Register the index's document function and the row score functions on a new SQLite connection."""
    scores = _RowScores()
    setattr(connection, _ROW_SCORES, scores)

    def row_function(index: int):
        def value(term, name, description):
            if type(term) is str and type(name) is str and type(description) is str:
                return scores(term, name, description)[index]
            # NULL in, NULL out, as pg_trgm's STRICT functions: each value depends on the term and its column.
            if term is None or (description if index == 2 else name) is None:
                return None
            text = ["" if column is None else str(column) for column in (name, description)]
            return scores(str(term), *text)[index]

        return value

    raw = connection.connection
    raw.create_function(DOCUMENT_FUNCTION, 1, document, deterministic=True)
    for index, name in enumerate((NAME_WORD_SIMILARITY, NAME_SIMILARITY, DESCRIPTION_WORD_SIMILARITY)):
        raw.create_function(name, 3, row_function(index), deterministic=True)
