"""The registry of enterprises, lines and measures: operations (flush, never commit), queries, the whole-registry
scan, credit codes, grade checks, the measure vocabulary and the registry generation token.
"""
