// Module worker: loads Pyodide and the simulator, then answers calls on the simulator facade.
// Settings arrive by postMessage; nothing from the page's URL is ever run as Python source.
//
// A first visit starts Python afresh, then keeps a memory snapshot of the started interpreter
// (Pyodide's `makeMemorySnapshot`, undocumented; about 31 MB) in Cache Storage. Later visits
// restore it instead of starting Python again, which skips most of the start-up. Anything wrong
// with a saved snapshot (missing, stale, unreadable, refused by Pyodide, or an interpreter that
// does not answer) means a normal start, and the snapshot is made again.
import { importModule, startDownloads } from "guide/bridge/downloads.js"; // the build links these
import { calls, fromWorker, toWorker } from "guide/bridge/messages.js";
import { canKeepSnapshots, forgetSnapshots, readSnapshot, saveSnapshot } from "guide/bridge/saved-start.js";
import { startTracer } from "guide/bridge/tracer.js";

// Where the simulator's archive goes on Python's path (tools/pyodide/package.py compiles the
// simulator with this file name, so tracebacks name it).
const SIM_ARCHIVE_PATH = "/home/pyodide/sim.zip";
let demoModule = null; // sim.browser.facade, once loaded
let demo = null; // the current sim.browser.facade.Demo
let python = null; // the Pyodide interpreter, once started
let exercises = null; // sim.browser.exercise_run, imported at the first check
let tracer = null; // bridge/tracer.js's, while "The code that ran" is open
let pagePainted;
const painted = new Promise((resolve) => {
  pagePainted = resolve;
});

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === toWorker.init) {
    await init(message);
  } else if (message.type === toWorker.painted) {
    pagePainted();
  } else if (message.type === toWorker.call) {
    answer(message);
  }
};

function post(message) {
  self.postMessage(message);
}

async function init(settings) {
  let downloads = null;
  try {
    // Everything is requested at once: the runtime's two modules, the wasm, both archives,
    // and a snapshot a previous visit saved.
    downloads = startDownloads(settings.downloads, settings.downloadStallMs, (loaded, total) => {
      post({ type: fromWorker.progress, loaded, total });
      if (loaded >= total) post({ type: fromWorker.phase, phase: "starting" });
    });
    // A file that failed its check is reported at once: Pyodide might never settle.
    downloads.checked.catch((error) => post({ type: fromWorker.error, message: error.message }));
    const archive = downloads.take(settings.simArchiveURL).then((r) => r.arrayBuffer());
    archive.catch(() => {}); // a cut archive is reported by its check, in words
    const saved = readSnapshot(settings.snapshot);
    const [{ loadPyodide }, { default: createPyodideModule }] = await Promise.all([
      importModule(settings.pyodideIndexURL, "pyodide.mjs", downloads.checked, settings.downloadStallMs),
      importModule(settings.pyodideIndexURL, "pyodide.asm.mjs", downloads.checked, settings.downloadStallMs),
    ]);
    const options = {
      indexURL: settings.pyodideIndexURL,
      stdLibURL: settings.stdLibURL,
      lockFileContents: settings.pyodideLock,
      createPyodideModule,
    };
    await painted; // see boot.js
    let start = "restored";
    let pyodide = await restore(loadPyodide, options, await saved, await archive, settings.snapshot);
    let snapshot = null;
    if (!pyodide) {
      start = "fresh";
      const keep = canKeepSnapshots();
      pyodide = await loadPyodide({ ...options, _makeSnapshot: keep });
      pyodide.FS.writeFile(SIM_ARCHIVE_PATH, new Uint8Array(await archive));
      pyodide.pyimport("sys").path.insert(0, SIM_ARCHIVE_PATH);
      demoModule = pyodide.pyimport("sim.browser.facade");
      // Before the page makes its first call, so the snapshot holds no demo of this visit.
      if (keep) snapshot = pyodide.makeMemorySnapshot();
    }
    await downloads.checked; // every file was the one the build made
    python = pyodide;
    post({ type: fromWorker.ready, version: String(pyodide.pyimport("sim").__version__), start });
    if (snapshot) {
      saveSnapshot(settings.snapshot, snapshot).then(
        () => post({ type: fromWorker.snapshotSaved }),
        (error) => console.warn("The started simulator could not be kept for the next visit:", error),
      );
    }
  } catch (error) {
    // A file that failed its check explains this failure better than what Python made of it
    // ("Program terminated with exit(1)"), and has been reported already.
    if (!downloads || (await downloads.checked.then(() => true, () => false))) {
      post({ type: fromWorker.error, message: describe(error) });
    }
  }
}

// Pyodide from a saved snapshot, checked by a first call; null (and the snapshot dropped) when
// there is none or it does not work.
async function restore(loadPyodide, options, bytes, archive, where) {
  if (!bytes) return null;
  try {
    const pyodide = await loadPyodide({ ...options, _loadSnapshot: bytes });
    // The file system is not part of the snapshot; the imported modules and sys.path are.
    pyodide.FS.writeFile(SIM_ARCHIVE_PATH, new Uint8Array(archive));
    demoModule = pyodide.pyimport("sim.browser.facade");
    const probe = demoModule.load(undefined);
    JSON.parse(probe.snapshot_json());
    probe.destroy();
    return pyodide;
  } catch (error) {
    console.warn("The saved simulator could not be restored; starting it afresh.", error);
    demoModule = null;
    await forgetSnapshots(where);
    return null;
  }
}

// ---------------------------------------------------------------- calls from the page

// Long work (replaying a shared link, bringing the other modes level for Compare) runs a
// slice at a time; between slices the page's other calls are answered, so a click never
// waits for more than one slice.
const SLICE_MS = 6;
// While Compare waits for the other modes, a slice may run a frame's length: fewer turns of the
// worker's loop, and a click still waits at most a frame.
const COMPARE_SLICE_MS = 16;
// Progress is posted at most this often; each post costs a call into Python and a message.
const PROGRESS_MS = 100;
let progressPosted = 0;
let loading = null; // { id, previous } while a link is replayed; `previous` comes back if it fails
const held = []; // calls that arrived during a replay, answered after it in order
const comparing = []; // ids of Compare calls waiting for the other modes
const channel = new MessageChannel();
let sliceScheduled = false;
channel.port1.onmessage = () => {
  sliceScheduled = false;
  runSlice();
};

function scheduleSlice() {
  if (sliceScheduled) return;
  sliceScheduled = true;
  channel.port2.postMessage(null);
}

function answer(message) {
  if (message.method === calls.cancelLoad) {
    cancelLoad(message.id);
    return;
  }
  if (loading) {
    held.push(message);
    return;
  }
  const { id, method, argument } = message;
  try {
    if (method === calls.load || method === calls.loadFile || method === calls.restore) {
      // JS null is not None in Pyodide; undefined is. A file may hold a run too long for a link.
      // A restore replays the page's own run with the learner's policies it used (their code
      // comes from the page's editor, never from the address).
      const restore = method === calls.restore ? JSON.parse(argument) : null;
      const next = restore
        ? demoModule.start_load(restore.scenario, false, JSON.stringify(restore.codes))
        : demoModule.start_load(argument ?? undefined, method === calls.loadFile);
      comparing.splice(0).forEach((waiting) => post({ type: fromWorker.result, id: waiting, error: "A new run was loaded." }));
      loading = { id, previous: demo };
      demo = next;
    } else if (method === calls.apply) {
      const value = tracer ? tracer.traced(demo.apply_json, argument) : demo.apply_json(argument);
      post({ type: fromWorker.result, id, value });
    } else if (method === calls.trace) {
      // The keys of the functions to trace (from the page the build wrote), or null: stop.
      tracer = argument ? tracer ?? startTracer(python) : null;
      if (tracer) tracer.watch(argument);
      post({ type: fromWorker.result, id, value: "" });
    } else if (method === calls.ran) {
      post({ type: fromWorker.result, id, value: tracer ? tracer.ranJson() : "{}" });
    } else if (method === calls.useOwn) {
      post({ type: fromWorker.result, id, value: demo.use_own_json(argument) });
    } else if (method === calls.check) {
      exercises ??= python.pyimport("sim.browser.exercise_run");
      post({ type: fromWorker.result, id, value: exercises.run_check_json(argument) });
    } else if (method === calls.compare) {
      comparing.push(id);
    } else {
      throw new Error(`Unknown call ${method}`);
    }
  } catch (error) {
    post({ type: fromWorker.result, id, error: describe(error) });
  }
  scheduleSlice();
}

// The reader gave up waiting for a replay: its call fails, and the demo starts an empty run.
function cancelLoad(id) {
  try {
    if (loading) {
      const { id: loadId, previous } = loading;
      loading = null;
      demo.destroy();
      if (previous) previous.destroy();
      demo = demoModule.load(undefined);
      post({ type: fromWorker.result, id: loadId, error: "The replay was cancelled." });
    }
    post({ type: fromWorker.result, id, value: demo.snapshot_json() });
  } catch (error) {
    post({ type: fromWorker.result, id, error: describe(error) });
  }
  held.splice(0).forEach(answer);
}

// One slice of whichever long work is under way: the replay of a link first, then the other
// modes (kept level whenever the worker is idle, so Compare usually answers at once).
function runSlice() {
  if (!demo) return;
  const until = performance.now() + SLICE_MS;
  try {
    if (loading) {
      let more = true;
      while (more && performance.now() < until) more = demo.load_step();
      if (more) {
        post({ type: fromWorker.callProgress, id: loading.id, progress: demo.load_progress_json() });
      } else {
        const { id, previous } = loading;
        loading = null;
        if (previous) previous.destroy();
        post({ type: fromWorker.result, id, value: demo.snapshot_json() });
        held.splice(0).forEach(answer);
      }
      scheduleSlice();
      return;
    }
  } catch (error) {
    const { id, previous } = loading;
    loading = null;
    demo.destroy();
    demo = previous; // a run that cannot be replayed changes nothing
    post({ type: fromWorker.result, id, error: describe(error) });
    held.splice(0).forEach(answer);
    return;
  }
  let behind = true;
  const compareUntil = comparing.length ? until - SLICE_MS + COMPARE_SLICE_MS : until;
  try {
    while (behind && performance.now() < compareUntil) behind = demo.compare_step();
  } catch (error) {
    // The other modes failed (a bug): Compare says so, and the demo goes on.
    for (const id of comparing.splice(0)) post({ type: fromWorker.result, id, error: describe(error) });
    return;
  }
  if (behind) {
    if (comparing.length && performance.now() - progressPosted >= PROGRESS_MS) {
      progressPosted = performance.now();
      const progress = demo.compare_progress_json();
      for (const id of comparing) post({ type: fromWorker.callProgress, id, progress });
    }
    scheduleSlice();
    return;
  }
  for (const id of comparing.splice(0)) {
    try {
      post({ type: fromWorker.result, id, value: demo.comparison_json() });
    } catch (error) {
      post({ type: fromWorker.result, id, error: describe(error) });
    }
  }
}

// A Python traceback's last line is the part a reader can use. A ScenarioError's message is
// written for readers, so its class name goes; any other error keeps it, for a bug report.
function describe(error) {
  const text = String(error && error.message ? error.message : error).trim();
  const lines = text.split("\n").filter((line) => line.trim());
  const last = lines.length ? lines[lines.length - 1] : "Unknown error";
  return last.replace(/^(?:[\w.]+\.)?ScenarioError: /, "");
}
