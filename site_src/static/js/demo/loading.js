// Starting the demo: loads the simulator through the bridge, says how far it has got, opens
// the first run (a shared link's, or a fresh one) and settles window.simReady.
import { calls } from "guide/bridge/messages.js";
import { embed, simReady } from "guide/bridge/handover.js";
import { formatMegabytes, startRuntime, supportsWebAssembly } from "guide/bridge/runtime.js";
import { skipTracesSoFar } from "guide/demo/dots.js";
import { openLessonInSimulator } from "guide/demo/lesson-picker.js";
import { replayRun } from "guide/demo/replay.js";
import {
  forgetSharedAddress,
  progress,
  retry,
  root,
  showFirstLogLine,
  showNotice,
  startButton,
  status,
} from "guide/demo/page.js";
import { run, ui } from "guide/demo/state.js";
import { render, renderAll, renderPause } from "guide/demo/view.js";

let settled = false;

function settleOnce(kind, value) {
  if (settled) return;
  settled = true;
  simReady[kind](value);
}

function showLoadError(message, canRetry) {
  status.textContent = message;
  progress.hidden = true;
  retry.hidden = !canRetry;
  root.dataset.state = "failed";
  settleOnce("reject", new Error(message));
}

// `resume` (a function of the new runtime) replaces opening the first run: a restart after a
// learner's policy was stopped.
function load(resume = null) {
  if (run.runtime) run.runtime.stop();
  retry.hidden = true;
  progress.hidden = false;
  progress.removeAttribute("value"); // indeterminate until the first bytes arrive
  status.textContent = "Loading the simulator…";
  if (!run.snapshot) showFirstLogLine(status.textContent);
  root.dataset.state = "loading";
  run.runtime = startRuntime({
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
      (resume ? resume(version) : start(version)).catch((error) =>
        showLoadError(`The simulator could not start. ${error.message}`, true),
      );
    },
    onStopped: restartAfterStop,
    onError(message) {
      ui.ready = false;
      if (run.snapshot) render(run.snapshot);
      showLoadError(`The simulator could not start. ${message}`, true);
    },
  });
}

// The scenario parameter is handed to the simulator's parser as a string, never to HTML.
// An empty one (`?scenario=`) shares nothing: the demo starts as if it were absent.
function sharedScenario() {
  const value = embed ? embed.options.scenario : new URLSearchParams(location.search).get("scenario");
  return value && value.trim() ? value : null;
}

async function start(version) {
  const { runtime } = run;
  const shared = sharedScenario();
  let replayed = false;
  let cancelled = false;
  if (shared !== null) {
    try {
      ({ snapshot: run.snapshot, cancelled } = await replayRun("the shared run", calls.load, shared));
      replayed = !cancelled;
    } catch (error) {
      showNotice(`The link’s scenario could not be used: ${error.message}. The demo starts from the defaults instead.`);
    }
  }
  if (!replayed) forgetSharedAddress(); // refused or cancelled: a reload starts afresh, quietly
  if (cancelled) showNotice("The shared run’s replay was cancelled. This is an empty run.");
  else if (!replayed) run.snapshot = JSON.parse(await runtime.call(calls.load, null));
  if (!replayed && embed?.options.mode) {
    const reset = { type: "reset", config: { mode: embed.options.mode } };
    run.snapshot = JSON.parse(await runtime.call(calls.apply, JSON.stringify(reset)));
  }
  ui.ready = true;
  root.querySelector("#demo-open-file").disabled = false;
  ui.paused = replayed; // a shared moment stays put until the reader resumes
  ui.pausedForLink = replayed;
  if (replayed) {
    const earlier = run.snapshot.scenario_notice ? ` ${run.snapshot.scenario_notice}` : "";
    showNotice(`Replayed a shared scenario. Press Resume to let time run on.${earlier}`);
  }
  skipTracesSoFar(run.snapshot);
  ui.readyText = `Simulator ready (sim ${version}). Select a mode and send a request.`;
  status.textContent = ui.readyText;
  progress.hidden = true;
  root.dataset.state = "ready";
  renderAll();
  renderPause(ui.paused);
  openLessonInSimulator(run.snapshot);
  settleOnce("resolve", version);
}

// A learner's policy ran past its limit and the worker was ended: a new one (quick to start
// from the saved interpreter) replays the run as it was before the call that did not end, with
// the policies the page gave it, then goes on with the built-in policy.
function restartAfterStop() {
  const scenario = run.snapshot?.scenario ?? "";
  const codes = run.ownCodes.slice();
  ui.ready = false;
  root.dispatchEvent(new CustomEvent("own-policy-stopped"));
  load(async (version) => {
    const restored = await run.runtime.call(calls.restore, JSON.stringify({ scenario, codes }));
    run.snapshot = JSON.parse(restored);
    const builtIn = JSON.stringify({ type: "own_policy", code: 0 });
    run.snapshot = JSON.parse(await run.runtime.call(calls.apply, builtIn));
    ui.ready = true;
    ui.readyText = `Simulator ready (sim ${version}). Select a mode and send a request.`;
    status.textContent = ui.readyText;
    progress.hidden = true;
    root.dataset.state = "ready";
    skipTracesSoFar(run.snapshot);
    renderAll();
    renderPause(ui.paused);
    root.dispatchEvent(new CustomEvent("own-policy-restarted"));
  });
}

function showWaiting(text) {
  status.textContent = text;
  progress.hidden = true;
  showFirstLogLine(text);
}

function startWhenVisible(element) {
  showWaiting("The demo starts when it comes into view.");
  const observer = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    observer.disconnect();
    load();
  });
  observer.observe(element);
}

function startOnRequest() {
  showWaiting("The demo downloads Python and runs the simulator in your browser when you start it.");
  startButton.hidden = false;
  startButton.addEventListener("click", () => {
    startButton.hidden = true;
    status.tabIndex = -1; // keep the keyboard's place: the button it was on is gone
    status.focus();
    load();
  }, { once: true });
}

// Start the worker at once, or, in an embed, when the demo first comes into view or when the
// reader asks: a docs page with five embeds starts only the ones a reader reaches.
export function startDemo() {
  retry.addEventListener("click", () => load());
  if (!supportsWebAssembly()) {
    showLoadError(
      "The simulator could not start. This browser has no WebAssembly, which the demo needs to run Python. The rest of the guide works as usual.",
      false,
    );
  } else if (!embed) load();
  else if (embed.options.autostart) startWhenVisible(root);
  else startOnRequest();
}
