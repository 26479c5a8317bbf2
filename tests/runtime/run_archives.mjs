// Load the archives the build wrote the way worker.js does, and replay the simulator in them.
//
//   node tests/runtime/run_archives.mjs STDLIB_ZIP SIM_ZIP LOCK_JSON EXERCISE_DIR SCENARIO...
//
// Pyodide starts with the trimmed standard library as its stdLibURL and the lock's `info`
// inline; the simulator's archive goes on sys.path. Prints JSON: what exercise.run() returned,
// the snapshot of each scenario, and every module the run loaded.
import { readFileSync } from "node:fs";
import { loadPyodide } from "pyodide";

const [stdLibURL, simZip, lockJson, exerciseDir, ...scenarios] = process.argv.slice(2);
const SIM_ARCHIVE_PATH = "/home/pyodide/sim.zip"; // as in worker.js

const pyodide = await loadPyodide({
  stdLibURL,
  lockFileContents: readFileSync(lockJson, "utf8"),
  stdout: (line) => console.error(line),
  stderr: (line) => console.error(line),
});
pyodide.FS.writeFile(SIM_ARCHIVE_PATH, readFileSync(simZip));
pyodide.pyimport("sys").path.insert(0, SIM_ARCHIVE_PATH);
pyodide.FS.mkdirTree("/home/pyodide/exercise");
pyodide.FS.writeFile("/home/pyodide/exercise/exercise.py", readFileSync(`${exerciseDir}/exercise.py`));
pyodide.pyimport("sys").path.append("/home/pyodide/exercise");

const facade = pyodide.pyimport("sim.browser.facade");
const result = {
  exercise: pyodide.pyimport("exercise").run().toJs(),
  scenarios: scenarios.map((text) => facade.load(text).snapshot_json()),
  sim_file: pyodide.runPython("import sim.browser.facade; sim.browser.facade.__file__"),
  modules: pyodide.runPython("import sys; sorted(sys.modules)").toJs(),
};
process.stdout.write(JSON.stringify(result));
