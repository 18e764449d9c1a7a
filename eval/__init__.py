"""Measure retrieval (and answers) against questions with known evidence."""
