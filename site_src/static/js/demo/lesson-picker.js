// "Try this": choosing a lesson with the Lesson radios or by a link (#lesson-deploy), and
// answering its question. Both are actions: the simulator keeps each lesson's progress, and
// lesson-view.js renders what it says back.
import { lessonFromHash, unknownLessonNotice } from "guide/demo/lesson-link.js";
import { FIRST_LESSON, LESSONS, lessonHash, showLesson } from "guide/demo/lesson-view.js";
import { forgetSharedAddress, root, showNotice } from "guide/demo/page.js";
import { send } from "guide/demo/send.js";
import { ui } from "guide/demo/state.js";

function chooseLesson(id) {
  showLesson(id);
  send({ type: "lesson", id }); // nothing before the simulator runs: see openLessonInSimulator
}

/** Once the simulator runs: make the lesson on show its current one, as a link may have asked. */
export function openLessonInSimulator(snapshot) {
  if (snapshot.lesson.id !== ui.lesson) send({ type: "lesson", id: ui.lesson });
}

// A link to a lesson (#lesson-deploy) opens it and brings the demo into view.
export function followLessonLink() {
  const link = lessonFromHash(location.hash, LESSONS);
  if (link === null) return;
  if (link.unknown !== undefined) {
    const labels = Object.fromEntries(
      [...root.querySelectorAll("input[name=demo-lesson]")].map((r) => [r.value, r.parentElement.textContent.trim()]),
    );
    showNotice(unknownLessonNotice(link.unknown, labels), "lesson");
    chooseLesson(FIRST_LESSON);
  } else {
    showNotice("", "lesson");
    chooseLesson(link.id);
  }
  root.scrollIntoView({ block: "start" });
}

export function listenForLessons() {
  for (const radio of root.querySelectorAll("input[name^=demo-prediction]")) radio.disabled = false;
  root.addEventListener("change", (event) => {
    const target = event.target;
    if (target.name.startsWith("demo-prediction") || target.name === "demo-lesson") forgetSharedAddress();
    if (target.name.startsWith("demo-prediction")) {
      send({ type: "predict", answer: target.value }); // counts once the simulator runs
    } else if (target.name === "demo-lesson") {
      showNotice("", "lesson");
      chooseLesson(target.value);
      // The address follows the lesson, so it can be shared; the wizard's history state is kept.
      const url = new URL(location.href);
      url.hash = lessonHash();
      history.replaceState(history.state, "", url.href);
    }
  });
  window.addEventListener("hashchange", followLessonLink);
}
