"""Findings: where a scheduled lesson's Zoom settings, or a teacher's own, differ from the safeguarding protocol's
appendix (contracts.md, Zoom API). Nothing has happened yet, so they are not incidents: they are read before the
lesson (appendix.py compares, store.py keeps them, api.py and web.py show them, the digest counts them)."""
