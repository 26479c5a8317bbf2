"""The rules of the model, and nothing said about them: each mechanism records what happened."""
