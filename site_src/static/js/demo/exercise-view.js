// The Exercises panel's verdict and error, from what the worker sent: each answer is checked
// for its shape before it is shown, and shown as text only (never as HTML).

const panel = document.getElementById("demo-exercises"); // absent in an embed
const verdictLine = document.getElementById("exercise-verdict");
const errorBlock = document.getElementById("exercise-error");
const inUse = document.getElementById("exercise-in-use");
const MAX_TEXT = 400;
const MAX_ERROR = 4000;
let errorShown = null; // the demo's error last shown, so a later snapshot does not repeat it

function text(value, max) {
  return typeof value === "string" ? value.slice(0, max) : null;
}

/** A check's answer, {passed, text, error}, or an error saying the answer was malformed. */
export function checkedVerdict(answer) {
  const said = text(answer?.text, MAX_TEXT);
  const begins = said !== null && (said.startsWith("Passed") || said.startsWith("Not yet"));
  const errorOk = answer?.error === null || typeof answer?.error === "string";
  if (typeof answer?.passed !== "boolean" || !begins || !errorOk || answer.passed !== said.startsWith("Passed")) {
    throw new Error("the simulator’s answer to the check was not in the expected form");
  }
  return { passed: answer.passed, text: said, error: answer.error && answer.error.slice(0, MAX_ERROR) };
}

/** Show a verdict ({text, error}) in the status line, and the learner's error below it. */
export function showVerdict({ text: said, error = null }) {
  if (!panel) return;
  verdictLine.textContent = said;
  errorBlock.textContent = error ?? "";
  errorBlock.hidden = !error;
  panel.dataset.verdict = said.startsWith("Passed") ? "passed" : said.startsWith("Not yet") ? "not-yet" : "";
}

/** The learner's policy as the snapshot has it: in use, or failed during the run. */
export function renderOwnPolicy(snapshot, ready) {
  if (!panel) return;
  panel.querySelector("#exercise-run").disabled = !ready;
  const own = snapshot?.own_policy;
  if (!own || typeof own.on !== "boolean") return;
  inUse.textContent = own.on ? "The demo runs your policy." : "The demo runs the built-in policy.";
  const error = text(own.error, MAX_ERROR);
  if (error && error !== errorShown) {
    showVerdict({ text: "Not yet: your policy failed in the demo, which goes on with the built-in policy.", error });
  }
  errorShown = error;
}
