"""Importing the registry from spreadsheets: read → check → plan (create/update/unchanged) → apply, all or nothing.

Modules: ``pipeline`` (inspect and commit), ``layout`` (where the table sits), ``values`` (cell values and
vocabularies), ``plan``, ``existing``, ``apply``, ``report``, ``uploads`` (bytes kept between preview and commit),
``jobs`` (large commits as jobs) and ``template`` (the blank template).
"""
