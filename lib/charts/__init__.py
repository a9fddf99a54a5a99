"""Chart builders: pure functions from frames or assessments to Altair charts (no streamlit)."""
