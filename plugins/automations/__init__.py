"""YAML automations: triggers, conditions, actions, traces."""
