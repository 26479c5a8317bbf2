// Prepare the Python the browser runs, with Pyodide's own interpreter so the bytecode matches:
//
//   node prepare.mjs PYODIDE_DIR SIM_DIR OUT_DIR [deflated|stored]
//
// 1. Starts Pyodide with its stock standard library, puts the simulator's sources beside it,
//    and drives the simulator as the page does (exercise.py, then the worker's own calls).
// 2. Writes OUT_DIR/python_stdlib.zip: only the standard-library modules loaded by then, which
//    includes everything Pyodide's own start-up imports, compiled to bytecode.
// 3. Writes OUT_DIR/sim.zip: the simulator compiled to bytecode, without its command line.
// 4. Writes OUT_DIR/modules.json: the names of the modules kept.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { copyPackage } from "./copy-package.mjs";

const [pyodideDir, simDir, outDir, compression = "deflated"] = process.argv.slice(2);
if (!outDir || !["deflated", "stored"].includes(compression)) {
  console.error("usage: node prepare.mjs PYODIDE_DIR SIM_DIR OUT_DIR [deflated|stored]");
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const SOURCES = "/home/pyodide/src";


const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: pyodideDir + "/",
  stdout: (line) => console.error(line),
  stderr: (line) => console.error(line),
});
copyPackage(pyodide, simDir, `${SOURCES}/sim`);
pyodide.FS.writeFile(`${SOURCES}/exercise.py`, readFileSync(join(here, "exercise.py")));

// The page's calls, made the way worker.js makes them (proxies, JS strings, a Python error
// turned into a JS one), after the Python-side exercise.
pyodide.pyimport("sys").path.insert(0, SOURCES);
pyodide.pyimport("exercise").run();
const facade = pyodide.pyimport("sim.browser.facade");
const demo = facade.load(undefined);
demo.apply_json(JSON.stringify({ type: "request" }));
demo.comparison_json();
try {
  demo.apply_json("{");
  throw new Error("a broken action was accepted");
} catch (error) {
  if (!String(error.message).includes("ScenarioError")) throw error;
}
demo.destroy();
const traced = pyodide.runPython("import sys; sorted(sys.modules)").toJs();

// Only now import what packaging needs, so it does not count as needed.
pyodide.globals.set("TRACED", traced);
pyodide.globals.set("SOURCES", SOURCES);
pyodide.globals.set("STORED", compression === "stored");
pyodide.runPython(readFileSync(join(here, "package.py"), "utf8"));
pyodide.FS.readdir("/tmp/out")
  .filter((name) => !name.startsWith("."))
  .forEach((name) => writeFileSync(join(outDir, name), pyodide.FS.readFile(`/tmp/out/${name}`)));
