"""Storage: the engine and sessions, bulk writes, the presence book, the zone index, models, migrations."""
