"""Power-use supervision: were an alert's orders carried out?

``power_import`` reads the grid company's daily (or hourly) readings per electricity account through the tolerant
reader, with a dry run and an all-or-nothing commit; ``ceilings`` holds the expected ceilings per measure type and
the settings (data: ``seed/data/power_ceilings.csv``, ``settings.csv``); ``judgement`` holds the pure judgement
(baseline, ceiling, status per firm and day, ranking); ``board`` gathers an alert's data and judges it for a user;
``charts`` draws the small SVGs; ``clues`` writes the 问题线索清单; ``inspections`` records on-site visits and
their downgrade proposals; ``positive`` keeps the positive list (正面清单).
"""
