// The page's first script, a classic one so it runs before anything can await it. From here on
// window.simReady (the simulator answers) and window.offlineReady (everything needed offline
// is saved) exist and are never replaced; tests and embedders rely on both.
//
// It also owns starting the simulator's worker, so that starting it now and starting it later
// are one call each: with `data-start-worker` on this script's element the worker starts at
// once, while the rest of the page loads (pages that show the demo at once); otherwise
// runtime.js starts it when the page asks (takeWorker below).
//
// A classic script cannot export: what it hands to the page's modules (takeWorker, and the
// settle functions of the two promises) it leaves under Symbol.for keys, which one module,
// bridge/handover.js, reads for all the others.
(function () {
  "use strict";
  const script = document.currentScript;

  // A promise on window, settled through a symbol only the page's own modules look up.
  function exposePromise(name) {
    let settle;
    const promise = new Promise((resolve, reject) => {
      settle = { resolve, reject };
    });
    // A page nobody awaits must not report an unhandled rejection; awaiting callers still see it.
    promise.catch(() => {});
    Object.defineProperty(window, name, { value: promise, enumerable: true });
    Object.defineProperty(window, Symbol.for(`guide.${name}.settle`), { value: settle });
  }
  exposePromise("simReady");
  exposePromise("offlineReady");

  function startWorker() {
    const config = JSON.parse(document.getElementById("boot-config").textContent);
    const absolute = (url) => new URL(url, location.href).href;
    const { toWorker } = config.messages; // bridge/messages.js, which this script cannot import
    const worker = new Worker(config.workerURL, { type: "module", name: "simulator" });
    worker.postMessage({
      type: toWorker.init,
      pyodideIndexURL: absolute(config.pyodideIndexURL),
      pyodideLock: config.pyodideLock,
      stdLibURL: absolute(config.stdLibURL),
      simArchiveURL: absolute(config.simArchiveURL),
      snapshot: config.pythonSnapshot,
      downloads: Object.fromEntries(
        Object.entries(config.downloads).map(([url, expected]) => [absolute(url), expected]),
      ),
      downloadStallMs: config.downloadStallMs,
    });
    // The worker downloads at once but starts Python only once the page has painted: on a
    // small machine, compiling the runtime beside the page delays the page's first paint.
    afterFirstPaint(() => worker.postMessage({ type: toWorker.painted }));
    // Until runtime.js takes the worker, keep what it says (progress, errors) for it.
    const heard = [];
    worker.onmessage = worker.onerror = worker.onmessageerror = (event) => {
      if (event.type === "error") event.preventDefault();
      heard.push(event);
    };
    return { worker, heard };
  }

  // The first frame is painted just after requestAnimationFrame's callbacks run. A tab in
  // the background paints nothing until it is shown, so there is nothing to wait for.
  function afterFirstPaint(callback) {
    if (document.visibilityState !== "visible") callback();
    else requestAnimationFrame(() => setTimeout(callback, 0));
  }

  let early = null;
  if (script && script.hasAttribute("data-start-worker") && typeof WebAssembly === "object") {
    early = startWorker();
  }
  // The worker started early, once; after that (a retry, or a page that starts late) a new one.
  function takeWorker() {
    const taken = early || startWorker();
    early = null;
    return taken;
  }
  Object.defineProperty(window, Symbol.for("guide.takeWorker"), { value: takeWorker });

  // A page script that does not load (a 404, a 500, or a module it imports that fails) fires
  // "error" at its <script> element and runs nothing, so the promise it was to settle would
  // never settle: its element names that promise (data-settles), and it is rejected here.
  window.addEventListener(
    "error",
    (event) => {
      const element = event.target;
      if (!(element instanceof HTMLScriptElement) || !element.dataset.settles) return;
      const name = element.dataset.settles;
      if (name === "simReady") {
        // A sandboxed embed's modules fail for a reason embed-options.js says itself.
        if (window[Symbol.for("guide.embed")]?.sandboxed) return;
        if (early) early.worker.terminate(); // nothing will take what it starts
        early = null;
        const message = "The demo could not start: a script this page needs did not download. Reload the page to try again.";
        window[Symbol.for("guide.simReady.settle")].reject(new Error(message));
        whenParsed(() => showPageFailed(message));
      } else if (name === "offlineReady") {
        window[Symbol.for("guide.offlineReady.settle")].reject(
          new Error("The script that saves the guide for offline use did not download."),
        );
      }
    },
    true, // error events do not bubble; capturing sees them on the way to the element
  );

  function whenParsed(callback) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", callback);
    else callback();
  }

  // The demo's own script never ran, so its status line and button are set from here.
  function showPageFailed(message) {
    const root = document.getElementById("demo");
    if (!root) return;
    root.dataset.state = "failed";
    document.getElementById("demo-status").textContent = message;
    document.getElementById("demo-progress").hidden = true;
    const reload = document.getElementById("demo-retry");
    reload.textContent = "Reload the page";
    reload.hidden = false;
    reload.addEventListener("click", () => location.reload());
  }
  document.documentElement.classList.add("js");
})();
