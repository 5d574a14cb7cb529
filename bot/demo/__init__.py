"""`veraz demo`: replay a scenario file and print what each person saw."""
