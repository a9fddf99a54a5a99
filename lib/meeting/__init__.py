"""Meeting mode without Streamlit: the slide model, the self-advancing deck and the PPTX brief."""
