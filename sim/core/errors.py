"""The one error the simulator raises for bad input."""


class ScenarioError(ValueError):
    """An action, configuration or encoded scenario is invalid; the message says what is wrong."""
