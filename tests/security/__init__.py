"""Hearthside attacked on purpose: who may see and do what, and what hostile input costs."""
