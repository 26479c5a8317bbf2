// The CPU time Compare costs right after a link has loaded, under real Pyodide in Node: the
// other modes' catch-up (`compare_step()` until none is behind), and, for reference, the
// link's own replay. CPU time of this process, so a busy machine slows it less than wall time.
//
//   node bench/others_cpu.mjs SIM_DIR SCENARIO
//
// Prints {"replay_s", "others_s", "steps"} as JSON. Used by bench_compare.py.
import { loadPyodide } from "pyodide";
import { copyPackage } from "../tools/pyodide/copy-package.mjs";

const [simDir, scenario] = process.argv.slice(2);


const seconds = (since) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

const pyodide = await loadPyodide({ stdout: () => {}, stderr: (line) => console.error(line) });
copyPackage(pyodide, simDir, "/home/pyodide/sim");
pyodide.runPython('import sys; sys.path.insert(0, "/home/pyodide")');
const facade = pyodide.pyimport("sim.browser.facade");
let start = process.cpuUsage();
const demo = facade.start_load(scenario);
while (demo.load_step());
const replay = seconds(start);
start = process.cpuUsage();
let steps = 0;
while (demo.compare_step()) steps += 1;
const others = seconds(start);
process.stdout.write(JSON.stringify({ replay_s: replay, others_s: others, steps }));
