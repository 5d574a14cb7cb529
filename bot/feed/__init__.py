"""The public feed (issue 15): CAP 1.2 documents, an Atom feed and a page for phones, served read-only."""
