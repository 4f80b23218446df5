"""Streamlit front door (placeholder until the app issue lands)."""

import streamlit as st

st.title("Aleppo 2016: who held each district")
