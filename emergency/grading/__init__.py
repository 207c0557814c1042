"""Grade-change requests: the transition table, grade history and downgrades, attachments, queries and the inbox."""
