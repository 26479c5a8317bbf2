// Run seeded scenarios under real Pyodide in Node and print their final snapshots as JSON.
//
//   node tests/sim/pyodide_run.mjs SIM_DIR SCENARIO [SCENARIO ...]
//
// Loads `pyodide` from node_modules once (its start is most of the cost), writes the sim
// package into Pyodide's file system (without __main__.py, as the build packages it) and
// prints a JSON array: for each scenario, in order, Demo.snapshot_json() as a string.
import { loadPyodide } from "pyodide";
import { copyPackage } from "../../tools/pyodide/copy-package.mjs";

const [simDir, ...scenarios] = process.argv.slice(2);
if (!simDir || scenarios.length === 0) {
  console.error("usage: node pyodide_run.mjs SIM_DIR SCENARIO [SCENARIO ...]");
  process.exit(2);
}


const pyodide = await loadPyodide({ stdout: () => {}, stderr: (line) => console.error(line) });
copyPackage(pyodide, simDir, "/home/pyodide/sim");
pyodide.runPython(`
import sys
sys.path.insert(0, "/home/pyodide")
from sim.browser.facade import load
`);
const snapshots = scenarios.map((scenario) => {
  pyodide.globals.set("SCENARIO", scenario);
  return pyodide.runPython("load(SCENARIO).snapshot_json()");
});
const version = pyodide.runPython("import sys; sys.version.split()[0]");
console.error(`Pyodide Python ${version}`);
process.stdout.write(JSON.stringify(snapshots));
