"""The embedded default backend: SQLite through aiosqlite, one file in the data directory."""
