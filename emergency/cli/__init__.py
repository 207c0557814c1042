"""The flask CLI commands, grouped by feature. Each wraps the same domain function a view calls and commits once."""
