"""The emptiest Streamlit page: ``bench.app_slider`` times it to show the floor the stack sets."""

import streamlit as st

st.write("ready")
