"""The web surface: a Gradio chat for workers and a REST API, on one FastAPI server."""
