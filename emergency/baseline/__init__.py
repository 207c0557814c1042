"""The whole-society baseline as data: seasons (``seasons``: which one is in force, their edits), the baseline per
county, source type and pollutant and the non-industrial reductions per level (``amounts``: the grids the page
edits, the sums the accounting reads), and their workbook (``sheets``: export, and the import back through the
tolerant reader with a dry run and an all-or-nothing commit).

``Season`` is general: other per-season figures (staggered production) belong to the same seasons.
"""
