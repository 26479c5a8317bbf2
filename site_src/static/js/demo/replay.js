// A shared link's or a run file's replay: meanwhile the controls wait (aria-disabled, so the
// keyboard keeps its place), the progress says so and how long is left, and Cancel goes back to
// an empty run. Nothing the reader does can reach the run being replayed.
import { calls } from "guide/bridge/messages.js";
import { simulatedTime } from "guide/demo/format.js";
import { progress, root, status } from "guide/demo/page.js";
import { run, ui } from "guide/demo/state.js";

const cancelButton = document.getElementById("demo-cancel-replay");
let cancelling = null; // the empty run's snapshot, once Cancel has been pressed

const CONTROLS = "button[data-action], [data-setting], input[name=demo-mode], input[name$=kill-kind], input[name^=demo-prediction], #demo-open-file";

function holdControls(held) {
  for (const control of root.querySelectorAll(CONTROLS)) {
    if (held) {
      control.disabled = false; // focusable; aria-disabled says it waits
      control.setAttribute("aria-disabled", "true");
    } else {
      control.removeAttribute("aria-disabled"); // the next render sets what the run allows
    }
  }
}

// A click on a held checkbox, radio or the file input does nothing (aria-disabled alone would not stop it).
export function listenDuringReplays() {
  root.addEventListener("click", (event) => {
    if (ui.replaying && event.target.closest?.("[aria-disabled=true]")) event.preventDefault();
  }, true);
  cancelButton.addEventListener("click", () => {
    if (!ui.replaying || cancelling) return;
    cancelling = run.runtime.call(calls.cancelLoad, null);
  });
}

function whole(seconds) {
  return seconds < 1.5 ? "about a second" : `about ${Math.round(seconds)} s`;
}

function showProgress(what, started) {
  return ({ done_ns, total_ns }) => {
    if (!total_ns) return;
    progress.hidden = false;
    progress.max = total_ns;
    progress.value = done_ns;
    const elapsed = (performance.now() - started) / 1000;
    const left = done_ns > 0 ? ` ${whole((elapsed * (total_ns - done_ns)) / done_ns)} left.` : "";
    status.textContent = `Replaying ${what}: ${simulatedTime(done_ns, total_ns)} of ${simulatedTime(total_ns)} of simulated time.${left} The controls wait until it is done.`;
  };
}

// Replays a link (calls.load) or a file (calls.loadFile). Resolves to { snapshot } or, when the
// reader cancelled, { snapshot, cancelled: true } with an empty run; rejects for a refused run.
export async function replayRun(what, method, text) {
  ui.replaying = true;
  cancelling = null;
  holdControls(true);
  cancelButton.hidden = false;
  status.textContent = `Replaying ${what}. The controls wait until it is done.`;
  try {
    const answer = await run.runtime.call(method, text, showProgress(what, performance.now()));
    return { snapshot: JSON.parse(answer) };
  } catch (error) {
    if (cancelling) return { snapshot: JSON.parse(await cancelling), cancelled: true };
    throw error;
  } finally {
    ui.replaying = false;
    cancelling = null;
    cancelButton.hidden = true;
    progress.hidden = true;
    holdControls(false);
  }
}
