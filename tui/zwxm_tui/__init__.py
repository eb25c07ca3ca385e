"""The operators' terminal UI for zwxm: a thin Textual layer over the headless core."""
