"""Every JSON path one query reads, extracted with a single parse of each sample column.

`json_extract(input, ['$.a', '$.b.c'])` parses the document once and returns one JSON fragment
per path: SQL NULL when the path is absent, the text `null` when the value is JSON null. A
fragment is compact JSON, so its first character tells its type without parsing it again, and a
string that needs no escapes equals its text between quotes.

A path whose type alone is needed (the object holding a `present` check's field, a field checked
only for presence) is not extracted when a deeper path is: a present descendant proves it is an
object (or an array), and only the samples where no descendant is present parse the document a
second time (`json_type`, inside a CASE, so the other samples never pay for it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from realitycheck.assumptions.checks.expect import JsonValue, Value, literal
from realitycheck.assumptions.jsonpath import JsonPath

# The first character of a compact JSON fragment, per type; anything else is a number
# (digits, '-', or the NaN and Infinity DuckDB's reader accepts).
OBJECT, ARRAY, STRING, NULL, TRUE, FALSE = 123, 91, 34, 110, 116, 102
_KINDS = {
    "object": f"= {OBJECT}",
    "array": f"= {ARRAY}",
    "string": f"= {STRING}",
    "null": f"= {NULL}",
    "boolean": f"IN ({TRUE}, {FALSE})",
    "number": f"NOT IN ({OBJECT}, {ARRAY}, {STRING}, {NULL}, {TRUE}, {FALSE})",
}
# json_type's name of a type, as the first character of its fragment.
_FROM_JSON_TYPE = (
    "CASE {t} WHEN 'OBJECT' THEN 123 WHEN 'ARRAY' THEN 91 WHEN 'VARCHAR' THEN 34 "
    "WHEN 'NULL' THEN 110 WHEN 'BOOLEAN' THEN 116 WHEN 'BIGINT' THEN 48 WHEN 'UBIGINT' THEN 48 "
    "WHEN 'DOUBLE' THEN 48 WHEN 'HUGEINT' THEN 48 END"
)
# A string fragment's text, and a number fragment's value.
_TEXT_OF = "CASE WHEN {a} = 34 THEN json_extract_string({j}, '$') END"
_NUMBER_OF = "TRY_CAST({j}::VARCHAR AS DOUBLE)"
_DESCENDANTS = 8  # enough present descendants to tell a container apart without parsing again


def _plain(text: str) -> bool:
    """Whether a string's JSON form is the string between quotes (nothing to escape)."""
    return all(" " <= ch <= "~" and ch not in '"\\' for ch in text)


@dataclass
class _Entry:
    """One path of one sample column, and which of its SQL forms the query reads."""

    column: str
    path: JsonPath
    name: str
    needs: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Fragment:
    """A Value read from the extraction layers; each part is marked as used when read."""

    entry: _Entry

    def _use(self, part: str) -> str:
        self.entry.needs.add(part)
        return f"{part}_{self.entry.name}"

    @property
    def absent(self) -> str:
        return f"{self._use('a')} IS NULL"

    @property
    def held(self) -> str:
        return f"{self._use('a')} <> {NULL}"

    def kind(self, name: str) -> str:
        return f"{self._use('a')} {_KINDS[name]}"

    @property
    def text(self) -> str:
        return self._use("s")

    @property
    def num(self) -> str:
        return self._use("n")

    @property
    def j(self) -> str:
        return self._use("j")

    def strings(self, members: list[str]) -> str:
        plain = [m for m in members if _plain(m)]
        other = [m for m in members if not _plain(m)]
        parts = []
        if plain:
            quoted = ", ".join(literal('"' + m + '"') for m in plain)
            parts.append(f"{self.j} IN ({quoted})")
        if other:
            listing = ", ".join(literal(m) for m in other)
            parts.append(f"({self.kind('string')} AND {self.text} IN ({listing}))")
        return "(" + " OR ".join(parts) + ")"


@dataclass
class Fragments:
    """The paths a query reads, per sample column, and the layers that extract them."""

    entries: dict[tuple[str, JsonPath], _Entry] = field(default_factory=dict)
    wild: dict[tuple[str, JsonPath], tuple[str, str]] = field(default_factory=dict)
    whole: set[str] = field(default_factory=set)  # columns read as a whole document

    def value(self, column: str, path: JsonPath) -> Value:
        """The value at `path` (no [*] steps) in a sample column (`input` or `output`)."""
        if not path.segments:
            self.whole.add(column)
            return JsonValue(f"{column}::JSON")
        return _Fragment(self._entry(column, path))

    def elements(self, column: str, prefix: JsonPath) -> str:
        """A column holding the list of values a path with [*] steps reaches."""
        key = (column, prefix)
        if key not in self.wild:
            first = prefix.segments.index(None)
            inner = literal(JsonPath(prefix.segments[first:]).duckdb())
            source = self.value(column, JsonPath(prefix.segments[:first])).j
            self.wild[key] = (f"_w{len(self.wild)}", f"json_extract({source}, {inner})")
        return self.wild[key][0]

    def _entry(self, column: str, path: JsonPath) -> _Entry:
        key = (column, path)
        if key not in self.entries:
            self.entries[key] = _Entry(column, path, f"{column[0]}{len(self.entries)}")
        return self.entries[key]

    def layers(self, carry: list[str], source: str) -> tuple[list[str], str]:
        """CTEs (`name AS (...)`) over `source`, ending in a relation with every part read."""
        extracted, inferred = self._split()
        lists: dict[str, list[_Entry]] = {}
        for entry in extracted:
            lists.setdefault(entry.column, []).append(entry)
        lazy: dict[str, list[_Entry]] = {}
        for entry in inferred:
            lazy.setdefault(entry.column, []).append(entry)
        keep = carry + [
            c for c in ("input", "output") if (c in lazy or c in self.whole) and c not in carry
        ]
        unpacked = [f"j_{e.name}" for e in extracted]
        typed = [e for e in extracted if e.needs & {"a", "s"}]
        codes = [f"a_{e.name}" for e in typed]
        wild = [name for name, _ in self.wild.values()]

        listed = [
            f"json_extract({column}, [{', '.join(literal(e.path.duckdb()) for e in group)}]) "
            f"AS _l{column[0]}"
            for column, group in lists.items()
        ]
        unpack = [
            f"_l{column[0]}[{i + 1}] AS j_{e.name}"
            for column, group in lists.items()
            for i, e in enumerate(group)
        ]
        third = [f"unicode(j_{e.name}) AS a_{e.name}" for e in typed]
        third += [f"{sql} AS {name}" for name, sql in self.wild.values()]
        fourth = [
            _TEXT_OF.format(a=f"a_{e.name}", j=f"j_{e.name}") + f" AS s_{e.name}"
            for e in extracted
            if "s" in e.needs
        ]
        fourth += [
            _NUMBER_OF.format(j=f"j_{e.name}") + f" AS n_{e.name}"
            for e in extracted
            if "n" in e.needs
        ]
        for column, group in lazy.items():
            unknown = " OR ".join(f"NOT ({self._known(e, extracted)})" for e in group)
            paths = ", ".join(literal(e.path.duckdb()) for e in group)
            lazy_list = f"_p{column[0]}"
            third.append(
                f"CASE WHEN {unknown} THEN json_type({column}, [{paths}]) END AS {lazy_list}"
            )
            fourth += [
                f"CASE WHEN {self._present(e, extracted, False)} THEN {OBJECT} "
                f"WHEN {self._present(e, extracted, True)} THEN {ARRAY} "
                f"ELSE {_FROM_JSON_TYPE.format(t=f'{lazy_list}[{i + 1}]')} END AS a_{e.name}"
                for i, e in enumerate(group)
            ]
        ctes = [
            f"_x AS (SELECT {', '.join(keep + listed)} FROM {source})",
            f"_f AS (SELECT {', '.join(keep + unpack)} FROM _x)",
            f"_t AS (SELECT {', '.join(keep + unpacked + third)} FROM _f)",
            f"_v AS (SELECT {', '.join(keep + unpacked + codes + wild + fourth)} FROM _t)",
        ]
        return ctes, "_v"

    def _split(self) -> tuple[list[_Entry], list[_Entry]]:
        """(paths extracted as fragments, paths whose type their descendants can tell)."""
        used = [e for e in self.entries.values() if e.needs]
        extracted = [e for e in used if e.needs & {"s", "n", "j"}]
        inferred: list[_Entry] = []
        typed_only = sorted(
            (e for e in used if e.needs == {"a"}), key=lambda e: -len(e.path.segments)
        )
        for entry in typed_only:
            (inferred if self._descendants(entry, extracted) else extracted).append(entry)
        return extracted, inferred

    @staticmethod
    def _descendants(entry: _Entry, extracted: list[_Entry]) -> list[_Entry]:
        depth = len(entry.path.segments)
        return [
            e
            for e in extracted
            if e.column == entry.column
            and len(e.path.segments) > depth
            and e.path.startswith(entry.path)
        ][:_DESCENDANTS]

    def _present(self, entry: _Entry, extracted: list[_Entry], index: bool) -> str:
        """SQL: a descendant reached through a key (or an index) of the entry is present."""
        depth = len(entry.path.segments)
        found = [
            f"j_{e.name} IS NOT NULL"
            for e in self._descendants(entry, extracted)
            if isinstance(e.path.segments[depth], int) == index
        ]
        return "(" + (" OR ".join(found) or "false") + ")"

    def _known(self, entry: _Entry, extracted: list[_Entry]) -> str:
        return (
            f"{self._present(entry, extracted, False)} OR {self._present(entry, extracted, True)}"
        )
