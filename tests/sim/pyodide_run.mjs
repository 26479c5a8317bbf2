// Run a seeded scenario under real Pyodide in Node and print the final snapshot as JSON.
//
//   node tests/sim/pyodide_run.mjs SIM_DIR SCENARIO
//
// Loads `pyodide` from node_modules, writes the sim package into Pyodide's file system
// (without __main__.py, as the build packages it) and prints Demo.snapshot_json().
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPyodide } from "pyodide";

const [simDir, scenario] = process.argv.slice(2);
if (!simDir || scenario === undefined) {
  console.error("usage: node pyodide_run.mjs SIM_DIR SCENARIO");
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
pyodide.globals.set("SCENARIO", scenario);
const out = pyodide.runPython(`
import sys
sys.path.insert(0, "/home/pyodide")
from sim.browser.facade import load
load(SCENARIO).snapshot_json()
`);
const version = pyodide.runPython("import sys; sys.version.split()[0]");
console.error(`Pyodide Python ${version}`);
process.stdout.write(out);
