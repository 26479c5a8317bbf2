// What the demo's modules share: the page's own state (`ui`) and the simulator's (`run`).
// The model's state is only ever the last snapshot the simulator sent.
import { root } from "guide/demo/page.js";

export const ui = {
  ready: false,
  paused: false,
  speed: 1,
  visible: true,
  maxServers: Number(root.dataset.maxServers),
  pendingMode: null, // a mode chosen whose reset has not answered yet
  pausedForLink: false, // paused by the page to show a shared moment, not by the reader
  replaying: false, // a link or file is being replayed: the controls wait (replay.js)
  comparing: false, // a comparison asked for and not yet answered
  readyText: "", // what the status line says once the simulator is ready
  lesson: null, // the lesson on show (lesson-view.js)
};

export const run = {
  runtime: null, // bridge/runtime.js's calls into the worker
  snapshot: null, // the simulator's last answer
  queue: Promise.resolve(), // actions are sent one after another, in order
  inFlight: 0, // actions sent and not yet answered
  ownCodes: [], // the learner's policies the simulator holds, in order (exercises.js)
};

// For tests and the benchmark: a copy of the snapshot on show, and a promise of the snapshot
// once every action sent so far has been answered.
window.simSnapshot = () => (run.snapshot ? structuredClone(run.snapshot) : null);
window.simSettled = () => run.queue.then(window.simSnapshot);
