// Module worker: loads Pyodide and the simulator, then answers calls on the simulator facade.
// Settings arrive by postMessage; nothing from the page's URL is ever run as Python source.

const realFetch = self.fetch.bind(self); // before countDownloads() wraps it
let demoModule = null; // sim.facade, once loaded
let demo = null; // the current sim.facade.Demo

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === "init") {
    await init(message);
  } else if (message.type === "call") {
    answer(message);
  }
};

function post(message) {
  self.postMessage(message);
}

async function init({ pyodideIndexURL, stdLibURL, downloads, simArchiveURL }) {
  try {
    countDownloads(downloads);
    const { loadPyodide } = await import(pyodideIndexURL + "pyodide.mjs");
    // The standard library is served precompiled to bytecode (see build.py), under its own URL.
    const pyodide = await loadPyodide({ indexURL: pyodideIndexURL, stdLibURL });
    post({ type: "phase", phase: "starting" });
    const archive = await download(simArchiveURL, "the simulator");
    const appDir = "/home/pyodide/app";
    pyodide.unpackArchive(await archive.arrayBuffer(), "zip", { extractDir: appDir });
    pyodide.pyimport("sys").path.insert(0, appDir);
    const sim = pyodide.pyimport("sim");
    demoModule = pyodide.pyimport("sim.facade");
    post({ type: "ready", version: String(sim.__version__) });
  } catch (error) {
    post({ type: "error", message: describe(error) });
  }
}

// Wrap fetch so the page can show real bytes-of-bytes progress of the runtime download.
// `downloads` maps each absolute URL Pyodide fetches at start-up to its size in bytes.
function countDownloads(downloads) {
  const total = Object.values(downloads).reduce((sum, size) => sum + size, 0);
  let loaded = 0;
  self.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!(url in downloads)) return realFetch(input, init);
    const name = url.slice(url.lastIndexOf("/") + 1);
    let response;
    try {
      response = await download(url, name, init);
    } catch (error) {
      // Pyodide logs a failed runtime download as a warning and may never settle, so report
      // it to the page from here.
      post({ type: "error", message: error.message });
      throw error;
    }
    const counter = new TransformStream({
      transform(chunk, controller) {
        loaded += chunk.byteLength;
        post({ type: "progress", loaded: Math.min(loaded, total), total });
        controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(counter), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

async function download(url, what, init) {
  let response;
  try {
    response = await realFetch(url, init);
  } catch (error) {
    throw new Error(`Could not download ${what}: the network request failed.`);
  }
  if (!response.ok) {
    throw new Error(`Could not download ${what}: the server answered ${response.status}.`);
  }
  return response;
}

function answer({ id, method, argument }) {
  try {
    let value;
    if (method === "load") {
      if (demo) demo.destroy();
      demo = demoModule.load(argument ?? undefined); // JS null is not None in Pyodide; undefined is
      value = demo.snapshot_json();
    } else if (method === "apply") {
      value = demo.apply_json(argument);
    } else if (method === "compare") {
      value = demo.compare_modes_json();
    } else {
      throw new Error(`Unknown call ${method}`);
    }
    post({ type: "result", id, value });
  } catch (error) {
    post({ type: "result", id, error: describe(error) });
  }
}

// A Python traceback's last line is the part a reader can use ("ScenarioError: ...").
function describe(error) {
  const text = String(error && error.message ? error.message : error).trim();
  const lines = text.split("\n").filter((line) => line.trim());
  return lines.length ? lines[lines.length - 1] : "Unknown error";
}
