"""The one error the simulator raises for bad input."""


class ScenarioError(ValueError):
    """An action, configuration or encoded scenario is invalid; the message says what is wrong."""


class ModelError(RuntimeError):
    """The model failed on an action it had accepted (a bug in the simulator); the demo that
    raises it is back as it was before that action."""


class OwnPolicyError(RuntimeError):
    """A policy written by the learner failed: it raised, returned something that names no
    server, or could not be compiled. The message is for the learner (a traceback of their
    code, or what was wrong with the value)."""
