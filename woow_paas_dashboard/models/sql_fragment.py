"""Named SQL fragments (CTEs) that statements are put together from, and
tested one by one."""

import re
from dataclasses import dataclass

from odoo.tools import SQL


@dataclass(frozen=True)
class Fragment:
    """One named CTE: ``name`` (and its ``columns`` when it is a list of
    values), its body ``sql`` (with ``%(param)s`` placeholders), what it
    holds (``doc``), and whether PostgreSQL must compute it once
    (``materialized``)."""

    name: str
    doc: str
    sql: str
    columns: str = ""
    materialized: bool = False

    def cte(self):
        """The fragment as one item of a ``WITH`` list."""
        materialized = "MATERIALIZED " if self.materialized else ""
        return f"{self.name}{self.columns} AS {materialized}({self.sql})"

    def reads(self, names):
        """The names among ``names`` that the fragment's body reads."""
        code = re.sub(r"--[^\n]*", "", self.sql)
        return [name for name in names if name != self.name and re.search(rf"\b{name}\b", code)]


def fragment_query(fragments, name, inputs, **params):
    """The statement that selects fragment ``name`` of ``fragments`` (``{name:
    Fragment}``) alone, ordered by its first column, as an ``SQL``: the
    fragments it reads, recursively, except those of ``inputs`` (``{name:
    (columns, SQL)}``, e.g. ``("(k, b)", SQL("VALUES (%s, %s)", "cur", 1))``),
    given instead. ``params`` fill the placeholders of the fragments used."""
    needed, todo = [], [name]
    while todo:
        current = todo.pop()
        if current in needed or current in inputs:
            continue
        if current not in fragments:
            raise KeyError(f"{current} is read by the fragment: give it in inputs")
        needed.append(current)
        todo.extend(fragments[current].reads([*fragments, *inputs]))
    ctes = [
        SQL("%s%s AS (%s)", SQL(cte), SQL(columns), values)
        for cte, (columns, values) in inputs.items()
    ]
    ctes += [SQL(fragments[cte].cte(), **params) for cte in fragments if cte in needed]
    return SQL("WITH %s SELECT * FROM %s ORDER BY 1", SQL(",\n").join(ctes), SQL(name))
