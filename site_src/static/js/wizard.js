// The decision wizard, one question at a time.
//
// Progressive enhancement: the build renders the whole decision tree as nested <details>, which
// works without JavaScript. This module hides that tree and shows the same data step by step,
// with Back, a progress indicator and a shareable link (#wizard=ANSWER.ANSWER...). A link's
// value is checked against the data before use and only ever shown as text, never as HTML.

const HASH_PREFIX = "#wizard=";
const ANSWER_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_HASH_LENGTH = 300;
const BROKEN_LINK_NOTICE =
  "That link to a wizard result is broken or out of date, so the wizard starts over.";

/** Follow answer ids from the first question; null if any id is not an answer where it is used. */
export function walk(data, answerIds) {
  const steps = [];
  let node = data.start;
  for (const id of answerIds) {
    const question = Object.hasOwn(data.questions, node) ? data.questions[node] : null;
    const answer = question && ANSWER_ID.test(id) && question.answers.find((a) => a.id === id);
    if (!answer) return null;
    steps.push({ question, answer });
    node = answer.next;
  }
  return { steps, node };
}

/** Read a location hash: null if it is not about the wizard, else {answers} or {broken: true}. */
export function parseHash(hash, data) {
  if (hash !== "#wizard" && !hash.startsWith(HASH_PREFIX)) return null;
  const value = hash.slice(HASH_PREFIX.length);
  if (value === "") return { answers: [] };
  if (value.length > MAX_HASH_LENGTH) return { broken: true };
  const answers = value.split(".");
  return walk(data, answers) ? { answers } : { broken: true };
}

/** A DOM element; string children become text nodes, so data is never parsed as HTML. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.filter((child) => child !== null));
  return node;
}

function list(tag, items) {
  return el(tag, {}, ...items.map((item) => el("li", {}, item)));
}

function progress(answered, total, text) {
  return el(
    "div",
    { class: "wizard-progress" },
    el("p", { id: "wizard-progress-label" }, text),
    el("progress", {
      max: String(total),
      value: String(answered),
      "aria-labelledby": "wizard-progress-label",
    }),
  );
}

function questionView(data, steps, id, choose) {
  const question = data.questions[id];
  const total = steps.length + data.remaining[id];
  const buttons = question.answers.map((answer) => {
    const button = el("button", { type: "button", class: "wizard-answer" }, answer.label);
    button.addEventListener("click", () => choose(answer.id));
    return button;
  });
  return [
    progress(steps.length, total, `Question ${steps.length + 1} of up to ${total}`),
    el("h3", { class: "wizard-step-title", id: "wizard-step-title", tabindex: "-1" }, question.text),
    question.hint ? el("p", { class: "wz-hint" }, question.hint) : null,
    el(
      "div",
      { class: "wizard-answers", role: "group", "aria-labelledby": "wizard-step-title" },
      ...buttons,
    ),
  ];
}

function resultView(outcome, steps, shareURL) {
  const accepted = steps.filter((s) => s.answer.accept).map((s) => s.answer.accept);
  const readNext = outcome.read_next.map((link) => el("a", { href: link.url }, link.title));
  const status = el("span", { class: "wizard-copy-status", role: "status" });
  const copy = el("button", { type: "button" }, "Copy link");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(shareURL);
      status.textContent = "Link copied.";
    } catch {
      status.textContent = "Could not copy; use the link instead.";
    }
  });
  return [
    progress(steps.length, steps.length, `Done: ${steps.length} questions answered`),
    el("div", { class: "wizard-result", "data-kind": outcome.kind },
      el("p", { class: "eyebrow" }, "Recommendation"),
      el("h3", { class: "wizard-step-title", id: "wizard-step-title", tabindex: "-1" }, outcome.title),
      el("p", {}, outcome.summary),
      el("h4", {}, "Why, from your answers"),
      list("ul", steps.map((s) => s.answer.reason)),
      el("h4", {}, "Trade-offs you accept"),
      list("ul", [...accepted, ...outcome.tradeoffs]),
      el("h4", {}, "Your answers"),
      list("ol", steps.map((s) => `${s.question.text} ${s.answer.label}.`)),
      el("h4", {}, "Read next"),
      list("ul", readNext),
      el("p", { class: "wizard-share" },
        el("a", { href: new URL(shareURL).hash, class: "wizard-share-link" }, "Link to this result"),
        " ", copy, " ", status),
    ),
  ];
}

/** Replace the <details> tree in `root` with the step-by-step wizard. */
export function enhance(root, data) {
  const tree = root.querySelector("#wizard-tree");
  const app = root.querySelector("#wizard-app");
  const notice = el("p", { class: "notice wizard-notice", role: "alert" });
  const live = el("p", { class: "visually-hidden", "aria-live": "polite" });
  const stage = el("div", { class: "wizard-stage" });
  const back = el("button", { type: "button", class: "wizard-back" }, "Back");
  const restart = el("button", { type: "button", class: "wizard-restart" }, "Start over");
  app.replaceChildren(notice, live, stage, el("div", { class: "wizard-nav" }, back, restart));
  notice.hidden = true;
  let answers = [];

  function shareURL() {
    const url = new URL(window.location.href);
    url.hash = answers.length ? HASH_PREFIX + answers.join(".") : "wizard";
    return url.href;
  }

  function show({ focus }) {
    const { steps, node } = walk(data, answers);
    const isResult = Object.hasOwn(data.outcomes, node);
    stage.replaceChildren(
      ...(isResult
        ? resultView(data.outcomes[node], steps, shareURL())
        : questionView(data, steps, node, choose)
      ).filter((part) => part !== null),
    );
    back.disabled = answers.length === 0;
    live.textContent = isResult
      ? `Recommendation: ${data.outcomes[node].title}`
      : stage.querySelector("#wizard-progress-label").textContent;
    if (focus) stage.querySelector("#wizard-step-title").focus();
  }

  function go(next, { keepNotice = false } = {}) {
    answers = next;
    if (!keepNotice) notice.hidden = true;
    history.replaceState(null, "", shareURL());
    show({ focus: true });
  }

  function choose(answerId) {
    go([...answers, answerId]);
  }

  function followHash() {
    const link = parseHash(window.location.hash, data);
    if (link === null) return false;
    if (link.broken) {
      notice.textContent = BROKEN_LINK_NOTICE;
      notice.hidden = false;
      go([], { keepNotice: true });
    } else {
      go(link.answers);
    }
    return true;
  }

  back.addEventListener("click", () => go(answers.slice(0, -1)));
  restart.addEventListener("click", () => go([]));
  window.addEventListener("hashchange", followHash);

  tree.hidden = true;
  app.hidden = false;
  root.dataset.enhanced = "true";
  if (followHash()) {
    root.scrollIntoView({ block: "start" });
  } else {
    show({ focus: false });
  }
}

const root = document.getElementById("wizard");
const source = document.getElementById("wizard-data");
if (root && source) enhance(root, JSON.parse(source.textContent));
