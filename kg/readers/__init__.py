"""Readers: a report file as published → its text and what the file says about it (one module a format)."""
