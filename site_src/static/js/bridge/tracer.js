// The worker's tracer for "The code that ran" (demo/code-ran.js): while the page's panel is
// open, calls run under sys.settrace, which keeps, for each function the panel shows, the
// lines of its last run. Closed, nothing is traced and the demo runs at its usual speed.
// The functions are named by the keys the build wrote into the page (site_build/code_panel.py);
// only functions of the simulator's core are accepted.
const TRACER_SOURCE = `
import importlib, json, sys

_codes = {}
_ran = {}

def _resolve(key):
    module_name, qualname = key.split(":")
    if not module_name.startswith("sim.core."):
        raise ValueError(f"not a function of the simulator's core: {key}")
    target = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target.__code__

def watch(keys_json):
    _codes.clear()
    _ran.clear()
    for key in json.loads(keys_json):
        _codes[_resolve(key)] = key

def _line(frame, event, arg):
    if event == "line":
        _ran[_codes[frame.f_code]].add(frame.f_lineno)
    return _line

def _call(frame, event, arg):
    key = _codes.get(frame.f_code)
    if key is None:
        return None
    _ran[key] = set()
    return _line

def traced(call, argument):
    sys.settrace(_call)
    try:
        return call(argument)
    finally:
        sys.settrace(None)

def ran_json():
    return json.dumps({key: sorted(lines) for key, lines in _ran.items()})
`;

/** The tracer's functions in a namespace of their own: { watch, traced, ranJson }. */
export function startTracer(pyodide) {
  const namespace = pyodide.globals.get("dict")();
  pyodide.runPython(TRACER_SOURCE, { globals: namespace });
  return { watch: namespace.get("watch"), traced: namespace.get("traced"), ranJson: namespace.get("ran_json") };
}
