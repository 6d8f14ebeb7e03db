"""Decide: policy file → ``Policy``; ``decide(prompt, findings, policy)`` → ``Decision``."""

from pipeline.decide.build import check_policy_file, load_policy, parse_policy
from pipeline.decide.engine import decide, explain, explain_event, scope_of
from pipeline.decide.policy import Policy, Rule, ScopedPolicy

__all__ = [
    "Policy",
    "Rule",
    "ScopedPolicy",
    "check_policy_file",
    "decide",
    "explain",
    "explain_event",
    "load_policy",
    "parse_policy",
    "scope_of",
]
