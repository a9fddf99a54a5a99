"""督办 follow-up items: what someone is asked to do about a region, by when, and its progress.

``model`` holds the values (pure), ``service`` the rules on the warehouse (scope, roles, audit),
``attachments`` which files may be attached, ``xlsx`` the export; ``python -m lib.followup`` is the
console. All SQL is lib/warehouse/followup_store.py.
"""
