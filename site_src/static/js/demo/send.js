// Actions go to the simulator one at a time, in order; each answer is a new snapshot, rendered
// at once. Buttons (actions.js), time (time.js) and the lessons (lesson-picker.js) send here.
import { calls } from "guide/bridge/messages.js";
import { shareOutput, showNotice } from "guide/demo/page.js";
import { run, ui } from "guide/demo/state.js";
import { renderAll } from "guide/demo/view.js";

// `action` is an action, or a function of the current snapshot that returns one (or null for
// none), for an action that depends on what the actions queued before it did.
export function send(action) {
  if (!ui.ready || ui.replaying) return Promise.resolve(); // nothing reaches a run being replayed
  run.inFlight += 1;
  const job = run.queue.then(async () => {
    if (typeof action === "function") action = action(run.snapshot);
    if (!action) return;
    try {
      run.snapshot = JSON.parse(await run.runtime.call(calls.apply, JSON.stringify(action)));
    } catch (error) {
      showNotice(`That did not work: ${error.message}`);
      return;
    }
    renderAll();
    if (action.type !== "advance") shareOutput.textContent = "";
  });
  run.queue = job.finally(() => {
    run.inFlight -= 1;
  });
  return job;
}
