"""Session I/O: reads for the API (queries.py), writes (ingest.py), inputs (sources.py), export."""
