"""Data, validation, settings and time logic for the control map (no UI code here); the place is the data
folder's: its ``map.toml``."""
