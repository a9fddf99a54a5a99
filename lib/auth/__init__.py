"""Accounts, roles, regional scope, sessions and meeting display links (issue 6); no streamlit here."""
