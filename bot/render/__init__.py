"""Turning domain results into what Discord shows: text and embeds, in the reader's language."""
