// Run seeded scenarios under real Pyodide in Node and print their final snapshots as JSON.
//
//   node tests/sim/pyodide_run.mjs SIM_DIR SCENARIO [SCENARIO ...]
//
// Loads `pyodide` from node_modules once (its start is most of the cost), writes the sim
// package into Pyodide's file system (without __main__.py, as the build packages it) and
// prints a JSON array: for each scenario, in order, Demo.snapshot_json() as a string.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPyodide } from "pyodide";

const [simDir, ...scenarios] = process.argv.slice(2);
if (!simDir || scenarios.length === 0) {
  console.error("usage: node pyodide_run.mjs SIM_DIR SCENARIO [SCENARIO ...]");
  process.exit(2);
}

function copyPackage(pyodide, from, to) {
  pyodide.FS.mkdirTree(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory() && entry.name !== "__pycache__") {
      copyPackage(pyodide, source, `${to}/${entry.name}`);
    } else if (entry.isFile() && entry.name.endsWith(".py") && entry.name !== "__main__.py") {
      pyodide.FS.writeFile(`${to}/${entry.name}`, readFileSync(source, "utf8"));
    }
  }
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
