// The Chaos Monkey demo: loads the simulator, forwards the learner's actions to it, drives
// simulated time, and renders each snapshot. No simulation logic lives here; each job has a
// module of its own, and this one only starts them:
// - loading.js starts the simulator (through bridge/runtime.js) and opens the first run;
// - actions.js sends the reader's clicks as actions, and renders each answer (view.js);
// - time.js sends the passing of time; lesson-picker.js shows "Try this".
import { listenForActions } from "guide/demo/actions.js";
import { renderCompareHint } from "guide/demo/compare.js";
import { followBoxes } from "guide/demo/dots.js";
import { listenForExercises } from "guide/demo/exercises.js";
import { listenForCode } from "guide/demo/code-ran.js";
import { followLessonLink, listenForLessons } from "guide/demo/lesson-picker.js";
import { startDemo } from "guide/demo/loading.js";
import { root, showNotice } from "guide/demo/page.js";
import { listenDuringReplays } from "guide/demo/replay.js";
import { startClock } from "guide/demo/time.js";

listenForActions();
listenForLessons();
listenDuringReplays();
listenForExercises();
listenForCode();
startClock();
followBoxes();
new ResizeObserver(renderCompareHint).observe(root.querySelector("#demo-compare"));
showNotice("");
followLessonLink();
startDemo();
