// Main-thread side of the simulator: starts the worker, reports progress, forwards calls.

const config = JSON.parse(document.getElementById("boot-config").textContent);

export function supportsWebAssembly() {
  return typeof WebAssembly === "object" && typeof WebAssembly.instantiate === "function";
}

// Start Pyodide in a module worker. Callbacks: onProgress(loaded, total), onStarting(),
// onReady(version), onError(message). Returns { call(method, argument), stop() }.
export function startRuntime({ onProgress, onStarting, onReady, onError }) {
  const worker = new Worker(config.workerURL, { type: "module", name: "simulator" });
  const pending = new Map();
  let nextId = 1;
  let failed = false;

  function fail(message) {
    if (failed) return;
    failed = true;
    worker.terminate(); // a half-started runtime must not keep reporting progress
    for (const { reject } of pending.values()) reject(new Error(message));
    pending.clear();
    onError(message);
  }

  worker.onmessage = (event) => {
    if (failed) return;
    const message = event.data;
    if (message.type === "progress") onProgress(message.loaded, message.total);
    else if (message.type === "phase") onStarting();
    else if (message.type === "ready") onReady(message.version);
    else if (message.type === "error") fail(message.message);
    else if (message.type === "result") {
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (!call) return;
      if ("error" in message) call.reject(new Error(message.error));
      else call.resolve(message.value);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    fail("The simulator stopped unexpectedly" + (event.message ? `: ${event.message}` : "."));
  };
  worker.onmessageerror = () => fail("The simulator sent a message the page could not read.");
  const absolute = (url) => new URL(url, location.href).href;
  worker.postMessage({
    type: "init",
    pyodideIndexURL: absolute(config.pyodideIndexURL),
    stdLibURL: absolute(config.stdLibURL),
    downloads: Object.fromEntries(
      Object.entries(config.downloads).map(([url, size]) => [absolute(url), size]),
    ),
    simArchiveURL: absolute(config.simArchiveURL),
  });

  return {
    call(method, argument) {
      if (failed) return Promise.reject(new Error("The simulator is not running."));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: "call", id, method, argument });
      });
    },
    stop() {
      failed = true;
      worker.terminate();
    },
  };
}

export function formatMegabytes(bytes) {
  return (bytes / 1e6).toFixed(1) + " MB";
}
