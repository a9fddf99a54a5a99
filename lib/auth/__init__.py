"""Accounts, roles, regional scope, sessions and meeting display links; no streamlit here."""
