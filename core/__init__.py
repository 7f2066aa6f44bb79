"""Samantha."""
