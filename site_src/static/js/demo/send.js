// Actions go to the simulator one at a time, in order; each answer is a new snapshot, rendered
// at once. Buttons (actions.js), time (time.js), the lessons (lesson-picker.js) and the
// exercises (exercises.js) send here.
import { calls } from "guide/bridge/messages.js";
import { shareOutput, showNotice } from "guide/demo/page.js";
import { run, ui } from "guide/demo/state.js";
import { renderAll } from "guide/demo/view.js";

// A learner's policy that has not answered in this long is an endless loop: the page ends the
// worker and replays the run in a new one (own-restart.js).
export const OWN_LIMIT_MS = 5000;

// `action` is an action, or a function of the current snapshot that returns one (or null for
// none), for an action that depends on what the actions queued before it did.
export function send(action) {
  return inTurn(async () => {
    if (typeof action === "function") action = action(run.snapshot);
    if (!action) return;
    try {
      run.snapshot = JSON.parse(await callSimulator(calls.apply, JSON.stringify(action)));
    } catch (error) {
      if (!error.stopped) showNotice(`That did not work: ${error.message}`);
      return;
    }
    renderAll();
    if (action.type !== "advance") shareOutput.textContent = "";
  });
}

// A call that may run the learner's code has a time limit: every call while their policy is on.
export function callSimulator(method, argument, ownCode = false) {
  const limit = ownCode || run.snapshot?.own_policy?.on ? OWN_LIMIT_MS : undefined;
  return run.runtime.call(method, argument, undefined, limit);
}

// Run `job` after everything sent before it; nothing reaches a run being replayed.
export function inTurn(job) {
  if (!ui.ready || ui.replaying) return Promise.resolve();
  run.inFlight += 1;
  const done = run.queue.then(job);
  run.queue = done.catch(() => {}).finally(() => {
    run.inFlight -= 1;
  });
  return done;
}
