"""Escalation: paging the on-call role about urgent incidents nobody has acted on."""
