"""Map layers (folium) and the standalone scrubbable page. No file I/O, no Streamlit."""
