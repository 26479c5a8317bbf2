// "Try this": the lesson on show, chosen with the Lesson radios or opened by a link
// (#lesson-deploy), and the one place the demo's actions reach the lessons from.
import { crashLesson, GuidedSteps } from "guide/demo/lesson-steps.js";
import { deployLesson, failoverLesson, twoTabsLesson } from "guide/demo/lesson-rules.js";
import { hashOf, lessonFromHash, unknownLessonNotice } from "guide/demo/lesson-link.js";
import { outcome, root, showNotice } from "guide/demo/page.js";
import { ui } from "guide/demo/state.js";

const RULES = {
  crash: crashLesson,
  deploy: deployLesson,
  "store-failover": failoverLesson,
  "two-tabs": twoTabsLesson,
};
const panels = [...root.querySelectorAll(".lesson[data-lesson]")];
const lessons = Object.fromEntries(
  panels.map((panel) => [
    panel.dataset.lesson,
    new GuidedSteps(panel.querySelector(".steps"), outcome, RULES[panel.dataset.lesson]),
  ]),
);
const FIRST_LESSON = panels[0].dataset.lesson;
// Lessons whose steps use the store settings open the settings for the learner.
const LESSONS_WITH_SETTINGS = ["store-failover", "two-tabs"];
let lesson = FIRST_LESSON;

/** Every action sent, with the snapshots before and after it, for the lesson on show. */
export function observeLesson(action, before, after) {
  lessons[lesson].observe(action, before, after);
}

export function renderLesson() {
  lessons[lesson].render();
}

/** The link fragment that opens the lesson on show. */
export function lessonHash() {
  return hashOf(lesson, FIRST_LESSON);
}

function showLesson(id) {
  lesson = id;
  for (const panel of panels) panel.hidden = panel.dataset.lesson !== id;
  for (const radio of root.querySelectorAll("input[name=demo-lesson]")) radio.checked = radio.value === id;
  if (LESSONS_WITH_SETTINGS.includes(id)) root.querySelector(".demo-settings").open = true;
  outcome.textContent = "";
  renderLesson();
}

// A link to a lesson (#lesson-deploy) opens it and brings the demo into view.
export function followLessonLink() {
  const link = lessonFromHash(location.hash, Object.keys(lessons));
  if (link === null) return;
  if (link.unknown !== undefined) {
    const labels = Object.fromEntries(
      [...root.querySelectorAll("input[name=demo-lesson]")].map((r) => [r.value, r.parentElement.textContent.trim()]),
    );
    showNotice(unknownLessonNotice(link.unknown, labels));
    showLesson(FIRST_LESSON);
  } else {
    showLesson(link.id);
  }
  root.scrollIntoView({ block: "start" });
}

// The Lesson radios, and each lesson's prediction.
export function listenForLessons() {
  for (const radio of root.querySelectorAll("input[name^=demo-prediction]")) radio.disabled = false;
  root.addEventListener("change", (event) => {
    const target = event.target;
    if (target.name.startsWith("demo-prediction")) {
      if (!ui.ready) return; // a prediction counts once the simulator runs
      const id = target.name === "demo-prediction" ? FIRST_LESSON : target.name.slice("demo-prediction-".length);
      lessons[id]?.predict(target.value);
    } else if (target.name === "demo-lesson") {
      showLesson(target.value);
      // The address follows the lesson, so it can be shared; the wizard's history state is kept.
      const url = new URL(location.href);
      url.hash = lessonHash();
      history.replaceState(history.state, "", url.href);
    }
  });
  window.addEventListener("hashchange", followLessonLink);
}
