"""Cross-cutting machinery: jobs with progress, security headers and cookies, input guards, backups."""
