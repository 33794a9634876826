"""Shared by increasing and decreasing: each value compared with the previous non-null one."""

from __future__ import annotations

import ibis
from pydantic import BaseModel


class Ordered(BaseModel):
    column: str
    strict: bool = False
    """Equal neighbours fail too."""
    order_by: str = "_row"
    """The column giving row order; default: the order of the rows in the file."""

    def previous(self, t: ibis.Table) -> ibis.Value:
        """The previous non-null value in `order_by` order (NULL rows form their own partition)."""
        value = t[self.column]
        return value.lag().over(
            ibis.window(group_by=value.isnull(), order_by=[t[self.order_by], t["_row"]] if self.order_by != "_row" else t["_row"])
        )
