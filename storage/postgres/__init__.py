"""PostgreSQL storage (asyncpg): the same ports, guarantees and layout as storage/sqlite, for several hosts."""
