// The Exercises panel: the learner writes the balancer's policy in a plain <textarea> (the
// browser's own editing, keyboard and screen-reader support; Tab leaves it, as everywhere),
// the simulator checks it on the exercise's fixed scenario (sim/story/exercise_checks.py) and
// then runs the demo with it. The code goes to the worker from here only: never from the
// address, a run file or an embed. It is kept per exercise in this browser's local storage.
import { calls } from "guide/bridge/messages.js";
import { checkedVerdict, showVerdict } from "guide/demo/exercise-view.js";
import { root } from "guide/demo/page.js";
import { OWN_LIMIT_MS, callSimulator, inTurn } from "guide/demo/send.js";
import { run, ui } from "guide/demo/state.js";
import { renderAll } from "guide/demo/view.js";

const panel = document.getElementById("demo-exercises"); // absent in an embed
const editor = document.getElementById("exercise-code");
const PREFIX = "#exercise-";
const STORAGE_PREFIX = "guide.exercise.";
const STOPPED = `Not yet: your policy ran for more than ${OWN_LIMIT_MS / 1000} s (an endless loop?), so the page stopped it`;

function ids() {
  return [...panel.querySelectorAll('input[name="demo-exercise"]')].map((input) => input.value);
}

function current() {
  return panel.querySelector('input[name="demo-exercise"]:checked').value;
}

function starter(id) {
  return panel.querySelector(`[data-exercise="${id}"] .exercise-starter`).textContent;
}

// Local storage may be refused (a private window, a full disk): the code is then not kept.
function kept(id) {
  try {
    return localStorage.getItem(STORAGE_PREFIX + id);
  } catch {
    return null;
  }
}

function keep(id, code) {
  try {
    localStorage.setItem(STORAGE_PREFIX + id, code);
  } catch {
    // not kept; the editor still holds it
  }
}

function open(id) {
  for (const input of panel.querySelectorAll('input[name="demo-exercise"]')) input.checked = input.value === id;
  for (const part of panel.querySelectorAll("[data-exercise]")) part.hidden = part.dataset.exercise !== id;
  editor.value = kept(id) ?? starter(id);
  showVerdict({ text: "" });
}

async function runPolicy() {
  const id = current();
  const code = editor.value;
  keep(id, code);
  if (!ui.ready || ui.replaying) {
    showVerdict({ text: "Not yet: the simulator is not ready; try again in a moment." });
    return;
  }
  showVerdict({ text: "Checking your policy…" });
  await inTurn(async () => {
    let verdict;
    try {
      const answer = await callSimulator(calls.check, JSON.stringify({ exercise: id, code }), true);
      verdict = checkedVerdict(JSON.parse(answer));
    } catch (error) {
      if (!error.stopped) showVerdict({ text: `Not yet: the check could not run (${error.message}).` });
      return;
    }
    showVerdict(verdict);
    if (verdict.error) return; // the run goes on as it was
    let snapshot;
    try {
      snapshot = JSON.parse(await callSimulator(calls.useOwn, code, true));
    } catch (error) {
      if (!error.stopped) showVerdict({ text: `${verdict.text} The demo could not use it (${error.message}).` });
      return;
    }
    const own = snapshot.own_policy;
    if (own?.on === true && Number.isInteger(own.codes) && own.codes >= 1) {
      run.ownCodes = [...run.ownCodes.slice(0, own.codes - 1), code];
    }
    run.snapshot = snapshot;
    renderAll();
  });
}

function followLink() {
  if (!location.hash.startsWith(PREFIX)) return;
  const id = location.hash.slice(PREFIX.length);
  if (!ids().includes(id)) return;
  open(id);
  panel.scrollIntoView({ block: "start" });
}

export function listenForExercises() {
  if (!panel) return;
  editor.disabled = false;
  panel.addEventListener("change", (event) => {
    if (event.target.name === "demo-exercise") open(event.target.value);
  });
  editor.addEventListener("input", () => keep(current(), editor.value));
  panel.querySelector("#exercise-run").addEventListener("click", runPolicy);
  panel.querySelector("#exercise-reset").addEventListener("click", () => {
    editor.value = starter(current());
    keep(current(), editor.value);
    showVerdict({ text: "" });
  });
  root.addEventListener("own-policy-stopped", () => {
    showVerdict({ text: `${STOPPED}. The simulator is starting again to replay the run…` });
  });
  root.addEventListener("own-policy-restarted", () => {
    showVerdict({ text: `${STOPPED}, replayed the run in a new simulator, and goes on with the built-in policy.` });
  });
  window.addEventListener("hashchange", followLink);
  open(current());
  followLink();
}
