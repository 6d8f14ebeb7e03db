"""Route: the classify stage (pure) and the thin faust agent that runs it."""
