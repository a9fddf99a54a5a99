"""halfsky entry point: page config, then the frame (navigation, filters, footer)."""
from pathlib import Path

import streamlit as st

# A local icon: a ":material/…:" page icon makes the browser fetch an SVG from a public font host,
# which an intranet cannot reach.
ICON = str(Path(__file__).resolve().parent / "lib" / "ui" / "static" / "icon.png")
st.set_page_config(page_title="巾帼数据驾驶舱 halfsky", page_icon=ICON, layout="wide")

from lib.ui import frame  # noqa: E402  (after set_page_config)

frame.run()
