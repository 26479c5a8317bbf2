// The demo's loader: shows real download progress, then settles window.simReady.
import { startRuntime, supportsWebAssembly, formatMegabytes } from "guide/runtime.js";

const settle = window[Symbol.for("guide.simReady.settle")];
const status = document.getElementById("demo-status");
const progress = document.getElementById("demo-progress");
const retry = document.getElementById("demo-retry");
let settled = false;

function settleOnce(kind, value) {
  if (settled) return;
  settled = true;
  settle[kind](value);
}

function showError(message, canRetry) {
  status.textContent = message;
  progress.hidden = true;
  retry.hidden = !canRetry;
  settleOnce("reject", new Error(message));
}

function load() {
  retry.hidden = true;
  progress.hidden = false;
  progress.removeAttribute("value"); // indeterminate until the first bytes arrive
  status.textContent = "Loading the simulator…";
  startRuntime({
    onProgress(loaded, total) {
      progress.max = total;
      progress.value = loaded;
      status.textContent = `Downloading Python: ${formatMegabytes(loaded)} of ${formatMegabytes(total)}`;
    },
    onStarting() {
      progress.removeAttribute("value");
      status.textContent = "Starting Python…";
    },
    onReady(version) {
      progress.hidden = true;
      status.textContent = `Simulator ready (sim ${version}).`;
      settleOnce("resolve", version);
    },
    onError(message) {
      showError(`The simulator could not start. ${message}`, true);
    },
  });
}

retry.addEventListener("click", load);

if (supportsWebAssembly()) {
  load();
} else {
  showError(
    "The simulator could not start. This browser has no WebAssembly, which the demo needs to run Python. The rest of the guide works as usual.",
    false,
  );
}
