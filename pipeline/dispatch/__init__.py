"""Dispatch: approved prompts → the LLM API, at most once per prompt id → prompts.responses."""
