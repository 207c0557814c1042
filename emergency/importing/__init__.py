"""Importing the registry from spreadsheets: read → check → plan (create/update/unchanged) → apply, all or nothing.

Modules: ``pipeline`` (inspect and commit), ``layout`` (where the table sits), ``values`` (cell values and
vocabularies), ``plan`` (with ``classification``, the 管控类别 and 绩效等级 cells), ``existing``, ``apply``,
``report``, ``uploads`` (bytes kept between preview and commit), ``jobs`` (large commits as jobs) and ``template``
(the blank template).
"""
