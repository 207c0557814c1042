"""Cross-cutting machinery: jobs on worker threads with progress, and SQLite backups."""
