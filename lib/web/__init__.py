"""HTTP routes served beside Streamlit by serve.py (``st.App(..., routes=...)``)."""
