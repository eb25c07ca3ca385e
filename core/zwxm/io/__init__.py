"""Input and output: reading ledgers in several formats, exporting, project files, reports and the demo data."""
