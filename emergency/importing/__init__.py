"""Importing the registry from spreadsheets: read → check → plan (create/update/unchanged) → apply, all or nothing.

Modules: ``pipeline`` (inspect and commit), ``layout`` (where the table sits), ``values`` (cell values and
vocabularies), ``measure_text`` (measures and transport rules written in words; the line form's warnings use it
too), ``plan`` (with ``classification``, the 管控类别, 绩效等级 and 分类原因 cells, and ``plan_measures``, each
level's measure cells), ``existing``, ``apply``, ``report``, ``uploads`` (bytes kept between preview and commit),
``jobs`` (large commits as jobs) and ``template`` (the blank template). ``tables`` holds what the small reference
tables' workbooks share (headers by synonyms, row problems, the dry run's report): the floors and the baseline.
"""
