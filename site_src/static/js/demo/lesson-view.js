// The lesson on show, in its panel: which steps are done, what comes next, the prediction and
// what the lesson says, all from the snapshot's `lesson` (the simulator keeps the progress).
import { hashOf } from "guide/demo/lesson-link.js";
import { outcome, root } from "guide/demo/page.js";
import { ui } from "guide/demo/state.js";

const panels = [...root.querySelectorAll(".lesson[data-lesson]")];
export const LESSONS = panels.map((panel) => panel.dataset.lesson);
export const FIRST_LESSON = LESSONS[0];
// Lessons whose steps use the store settings open the settings for the learner.
const LESSONS_WITH_SETTINGS = ["store-failover", "two-tabs"];
ui.lesson = FIRST_LESSON;

/** The link fragment that opens the lesson on show. */
export function lessonHash() {
  return hashOf(ui.lesson, FIRST_LESSON);
}

/** Show a lesson's panel (the simulator hears of it separately: lesson-picker.js). */
export function showLesson(id) {
  ui.lesson = id;
  for (const panel of panels) panel.hidden = panel.dataset.lesson !== id;
  for (const radio of root.querySelectorAll("input[name=demo-lesson]")) radio.checked = radio.value === id;
  if (LESSONS_WITH_SETTINGS.includes(id)) root.querySelector(".demo-settings").open = true;
  outcome.textContent = "";
}

export function renderLesson(snapshot) {
  const state = snapshot.lesson;
  if (state.id !== ui.lesson) return; // a snapshot from before the reader chose another lesson
  const panel = panels.find((p) => p.dataset.lesson === state.id);
  for (const step of state.steps) {
    const item = panel.querySelector(`[data-step="${step.id}"]`);
    const name = step.done ? "done" : step.id === state.next ? "current" : "todo";
    if (item.dataset.state === name) continue;
    item.dataset.state = name;
    let badge = item.querySelector(".step-badge");
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "step-badge";
      item.prepend(badge);
    }
    badge.textContent = { done: "Done: ", current: "Next: ", todo: "" }[name];
  }
  if (state.prediction !== null) {
    for (const radio of panel.querySelectorAll("input[name^=demo-prediction]")) {
      radio.checked = radio.value === state.prediction;
    }
  }
  const said = state.said.length ? state.said[state.said.length - 1] : "";
  if (outcome.textContent !== said) outcome.textContent = said;
}
