"""The `veraz` subcommands, behind `bot.__main__`'s argument parsing: one module per kind of work.

Every failure an operator can cause or meet (bad settings, a port taken, a full disk, a file that is not
a backup) ends in one line on stderr and a non-zero exit, never a traceback (`failures`).
"""
