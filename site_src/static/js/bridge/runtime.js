// Main-thread side of the simulator: takes the worker boot.js started (or starts one now),
// reports progress, forwards calls and hands back their answers.
import { takeWorker } from "guide/bridge/handover.js";
import { fromWorker, toWorker } from "guide/bridge/messages.js";

export function supportsWebAssembly() {
  return typeof WebAssembly === "object" && typeof WebAssembly.instantiate === "function";
}

// Callbacks: onProgress(loaded, total), onStarting(), onReady(version), onError(message),
// onStopped() (a call ran past its limit and the worker was ended: the caller starts another).
// Returns { call(method, argument, onProgress, limitMs), stop() }; onProgress(progress) hears
// how far a long call (a replayed link, a comparison) has got. A call given `limitMs` that is
// not answered within it ends the worker (a learner's endless loop cannot be interrupted in
// it) and is rejected with an error whose `stopped` is true.
export function startRuntime({ onProgress, onStarting, onReady, onError, onStopped }) {
  const { worker, heard } = takeWorker();
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
    if (message.type === fromWorker.progress) onProgress(message.loaded, message.total);
    else if (message.type === fromWorker.phase) onStarting();
    else if (message.type === fromWorker.ready) {
      // How Python started ("fresh", or "restored" from a snapshot), for the benchmark and tests.
      performance.mark("simulator-ready", { detail: { start: message.start } });
      onReady(message.version);
    } else if (message.type === fromWorker.snapshotSaved) performance.mark("simulator-snapshot-saved");
    else if (message.type === fromWorker.error) fail(message.message);
    else if (message.type === fromWorker.callProgress) pending.get(message.id)?.onProgress?.(JSON.parse(message.progress));
    else if (message.type === fromWorker.result) {
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (!call) return;
      if ("error" in message) call.reject(new Error(message.error));
      else call.resolve(message.value);
    }
  };
  function stopRunaway(limitMs) {
    if (failed) return;
    failed = true;
    worker.terminate();
    const error = new Error(`The simulator was stopped: a call took more than ${limitMs / 1000} s.`);
    error.stopped = true;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
    onStopped?.();
  }

  worker.onerror = (event) => {
    event.preventDefault();
    fail("The simulator stopped unexpectedly" + (event.message ? `: ${event.message}` : "."));
  };
  worker.onmessageerror = () => fail("The simulator sent a message the page could not read.");
  // What an early worker said before this module ran, in order.
  for (const event of heard.splice(0)) {
    if (event.type === "error") worker.onerror(event);
    else if (event.type === "messageerror") worker.onmessageerror(event);
    else worker.onmessage(event);
  }

  return {
    call(method, argument, onProgress, limitMs) {
      if (failed) return Promise.reject(new Error("The simulator is not running."));
      const id = nextId++;
      const answered = new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, onProgress });
        worker.postMessage({ type: toWorker.call, id, method, argument });
      });
      if (!limitMs) return answered;
      const timer = setTimeout(() => stopRunaway(limitMs), limitMs);
      return answered.finally(() => clearTimeout(timer));
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
