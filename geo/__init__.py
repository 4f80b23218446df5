"""Data, validation and time logic for the Aleppo 2016 control map (no UI code here)."""
