"""halfsky entry point: page config, then the frame (navigation, filters, footer)."""
import streamlit as st

st.set_page_config(page_title="巾帼数据驾驶舱 halfsky", page_icon=":material/diversity_3:", layout="wide")

from lib.ui import frame  # noqa: E402  (after set_page_config)

frame.run()
