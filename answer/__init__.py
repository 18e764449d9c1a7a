"""Question → retrieve → compose → cited Answer. Extractive by default; an LLM when configured."""
