"""Delivery: the worker that sends what the outbox owes, paced, exactly once, in order per person."""
