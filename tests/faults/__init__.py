"""The production stack broken on purpose while it sends (`make faults`)."""
