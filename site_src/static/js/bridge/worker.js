// Module worker: loads Pyodide and the simulator, then answers calls on the simulator facade.
// Settings arrive by postMessage; nothing from the page's URL is ever run as Python source.
//
// A first visit starts Python afresh, then keeps a memory snapshot of the started interpreter
// (Pyodide's `makeMemorySnapshot`, undocumented; about 31 MB) in Cache Storage. Later visits
// restore it instead of starting Python again, which skips most of the start-up. Anything wrong
// with a saved snapshot (missing, stale, unreadable, refused by Pyodide, or an interpreter that
// does not answer) means a normal start, and the snapshot is made again.
import { calls, fromWorker, toWorker } from "guide/bridge/messages.js"; // the build links it
import { canKeepSnapshots, forgetSnapshots, readSnapshot, saveSnapshot } from "guide/bridge/saved-start.js";

// Where the simulator's archive goes on Python's path (tools/pyodide/package.py compiles the
// simulator with this file name, so tracebacks name it).
const SIM_ARCHIVE_PATH = "/home/pyodide/sim.zip";
const realFetch = self.fetch.bind(self); // before startDownloads() wraps it
let demoModule = null; // sim.facade, once loaded
let demo = null; // the current sim.facade.Demo
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
  try {
    // Everything is requested at once: the runtime's two modules, the wasm, both archives,
    // and a snapshot a previous visit saved.
    const responses = startDownloads(settings.downloads);
    const archive = responses.take(settings.simArchiveURL).then((r) => r.arrayBuffer());
    const saved = readSnapshot(settings.snapshot);
    const [{ loadPyodide }, { default: createPyodideModule }] = await Promise.all([
      import(settings.pyodideIndexURL + "pyodide.mjs"),
      import(settings.pyodideIndexURL + "pyodide.asm.mjs"),
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
    post({ type: fromWorker.ready, version: String(pyodide.pyimport("sim").__version__), start });
    if (snapshot) {
      saveSnapshot(settings.snapshot, snapshot).then(
        () => post({ type: fromWorker.snapshotSaved }),
        (error) => console.warn("The started simulator could not be kept for the next visit:", error),
      );
    }
  } catch (error) {
    post({ type: fromWorker.error, message: describe(error) });
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

// ---------------------------------------------------------------- downloads

// Request every file the start needs now, and count the bytes as they arrive so the page can
// show real progress. `downloads` maps each absolute URL to its size in bytes. Pyodide's own
// fetches of these URLs are answered with the responses already under way.
function startDownloads(downloads) {
  const total = Object.values(downloads).reduce((sum, size) => sum + size, 0);
  let loaded = 0;
  // Progress reads a copy of each body, so whoever takes a response gets it as the network gave
  // it (a wasm compiled from a response with its URL can be kept in the browser's code cache).
  async function count(response) {
    const reader = response.clone().body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      loaded += chunk.value.byteLength;
      post({ type: fromWorker.progress, loaded: Math.min(loaded, total), total });
      if (loaded >= total) post({ type: fromWorker.phase, phase: "starting" });
    }
  }
  const pending = new Map();
  for (const url of Object.keys(downloads)) {
    const name = url.slice(url.lastIndexOf("/") + 1);
    const response = download(url, name).then(
      (response) => {
        count(response).catch(() => {}); // a body cut short fails whoever reads it
        return response;
      },
      (error) => {
        // Pyodide logs a failed runtime download as a warning and may never settle, so say
        // it to the page from here.
        post({ type: fromWorker.error, message: error.message });
        throw error;
      },
    );
    response.catch(() => {}); // reported above; whoever takes it sees the rejection too
    pending.set(url, response);
  }
  const take = (url) => {
    const response = pending.get(url);
    pending.delete(url); // a body is read once; a second fetch goes to the network
    return response;
  };
  self.fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    return take(url) ?? realFetch(input, init);
  };
  return { take };
}

async function download(url, what) {
  let response;
  try {
    response = await realFetch(url);
  } catch (error) {
    throw new Error(`Could not download ${what}: the network request failed.`);
  }
  if (!response.ok) {
    throw new Error(`Could not download ${what}: the server answered ${response.status}.`);
  }
  return response;
}

// ---------------------------------------------------------------- calls from the page

// Long work (replaying a shared link, bringing the other modes level for Compare) runs a
// slice at a time; between slices the page's other calls are answered, so a click never
// waits for more than one slice.
const SLICE_MS = 6;
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
    if (method === calls.load || method === calls.loadFile) {
      // JS null is not None in Pyodide; undefined is. A file may hold a run too long for a link.
      const next = demoModule.start_load(argument ?? undefined, method === calls.loadFile);
      comparing.splice(0).forEach((waiting) => post({ type: fromWorker.result, id: waiting, error: "A new run was loaded." }));
      loading = { id, previous: demo };
      demo = next;
    } else if (method === calls.apply) {
      post({ type: fromWorker.result, id, value: demo.apply_json(argument) });
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
  while (behind && performance.now() < until) behind = demo.compare_step();
  if (behind) {
    if (comparing.length) {
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
