"""The thin Streamlit layer: shared widgets, filters and the cached query boundary."""
