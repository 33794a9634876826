"""The warehouse: documented result tables that notebooks and BI tools read directly."""
