"""Operator tools: publish events onto the bus and trace what happened to them."""
