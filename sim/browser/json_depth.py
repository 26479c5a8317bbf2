"""How deeply JSON text nests, found before it is parsed."""


def nesting(text: str) -> int:
    """How deeply JSON text nests objects and arrays (brackets inside strings not counted),
    found without recursion, so no input can exhaust the stack (Pyodide's is small)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
