"""Ingest: files to typed tables on the engine, with every row loaded or quarantined."""
