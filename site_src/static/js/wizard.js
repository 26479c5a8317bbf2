// The decision wizard, one question at a time.
//
// Progressive enhancement: the build renders the whole decision tree as nested <details>, which
// works without JavaScript. This module hides that tree and shows the same data step by step,
// with Back, a progress indicator and a shareable link (#wizard=ANSWER.ANSWER...). A link's
// value is checked against the data before use and only ever shown as text, never as HTML.
//
// Each answer is a history entry, so the browser's Back and Forward step through the wizard.
// A plain link to the wizard (#wizard, from the page's contents or another page) keeps the
// answers given in this tab; a link with answers (#wizard=...) replaces them.

const HASH_PREFIX = "#wizard=";
const MAX_HASH_LENGTH = 300;
const BROKEN_LINK_NOTICE =
  "That link to a wizard result is broken or out of date, so the wizard starts over.";

/** Follow answer ids from the first question; null if any id is not an answer where it is used.
 * An id is only ever compared with the data's own ids, whose form the build checks. */
function walk(data, answerIds) {
  const steps = [];
  let node = data.start;
  for (const id of answerIds) {
    const question = Object.hasOwn(data.questions, node) ? data.questions[node] : null;
    const answer = question && question.answers.find((a) => a.id === id);
    if (!answer) return null;
    steps.push({ question, answer });
    node = answer.next;
  }
  return { steps, node };
}

/** Read a location hash: null if it is not about the wizard, {toWizard} for a plain link to it,
 * else {answers} or {broken: true}. */
function parseHash(hash, data) {
  if (hash !== "#wizard" && !hash.startsWith(HASH_PREFIX)) return null;
  const value = hash.slice(HASH_PREFIX.length);
  if (value === "") return { toWizard: true };
  if (value.length > MAX_HASH_LENGTH) return { broken: true };
  const answers = value.split(".");
  return walk(data, answers) ? { answers } : { broken: true };
}

/** `answers` if it is a list of answer ids that the data can follow, else null. */
function validAnswers(data, answers) {
  const usable = Array.isArray(answers) && answers.every((id) => typeof id === "string");
  return usable && walk(data, answers) ? answers : null;
}

function sameAnswers(a, b) {
  return Array.isArray(a) && Array.isArray(b) && a.join(".") === b.join(".");
}

// The answers given in this tab, kept across pages. The key carries the path because every
// project site of an account shares one origin. Storage may be refused (a sandboxed embed).
const STORAGE_KEY = `wizard-answers:${location.pathname}`;

function rememberAnswers(answers) {
  try {
    sessionStorage.setItem(STORAGE_KEY, answers.join("."));
  } catch {
    // Without storage, a link from another page starts the wizard over; nothing else changes.
  }
}

function rememberedAnswers(data) {
  try {
    const value = sessionStorage.getItem(STORAGE_KEY);
    return value === null ? null : validAnswers(data, value ? value.split(".") : []);
  } catch {
    return null;
  }
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
      el("p", { class: "wizard-share" }, shareLink(shareURL), " ", copy, " ", status),
    ),
  ];
}

/** The link to a result, for copying or bookmarking; a plain click stays on the page. */
function shareLink(shareURL) {
  const link = el("a", { href: shareURL, class: "wizard-share-link" }, "Link to this result");
  link.addEventListener("click", (event) => {
    const modified = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
    // The result is already on screen; following the link would reload the page if it was
    // opened with a query (a demo link), which the shared URL leaves out.
    if (event.button === 0 && !modified) event.preventDefault();
  });
  return link;
}

/** Replace the <details> tree in `root` with the step-by-step wizard. */
function enhance(root, data) {
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

  /** This page with the answers in its fragment; the query (a demo's scenario) stays. */
  function urlFor(list) {
    const url = new URL(window.location.href);
    url.hash = list.length ? HASH_PREFIX + list.join(".") : "wizard";
    return url.href;
  }

  /** The link to share: the page and the answers, without the query a demo link added. */
  function shareURL() {
    const url = new URL(urlFor(answers));
    url.search = "";
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
    if (focus) stage.querySelector("#wizard-step-title").focus({ preventScroll: focus === "stay" });
  }

  function showBroken() {
    notice.textContent = BROKEN_LINK_NOTICE;
    notice.hidden = false;
  }

  /** Make `next` the answers on screen; the caller has already put them in the history. */
  function settle(next, { focus }) {
    answers = next;
    rememberAnswers(answers);
    show({ focus });
  }

  /** A new history entry per step, so the browser's Back returns to the step before. */
  function push(next) {
    const from = sameAnswers(history.state?.wizard, answers) ? answers : null;
    history.pushState({ wizard: next, wizardFrom: from }, "", urlFor(next));
    notice.hidden = true;
    settle(next, { focus: true });
  }

  function replace(next, { focus = true } = {}) {
    history.replaceState({ ...history.state, wizard: next }, "", urlFor(next));
    settle(next, { focus });
  }

  function choose(answerId) {
    push([...answers, answerId]);
  }

  function stepBack() {
    const previous = answers.slice(0, -1);
    notice.hidden = true;
    // When the step before is the previous history entry, go there, so that the wizard's Back
    // and the browser's stay in step; otherwise (a shared link opened here) rewrite this one.
    if (sameAnswers(history.state?.wizardFrom, previous)) history.back();
    else replace(previous);
  }

  /** The answers the current history entry stands for; null if it is not about the wizard. */
  function answersOfThisEntry() {
    const kept = validAnswers(data, history.state?.wizard);
    if (kept) return kept;
    const link = parseHash(window.location.hash, data);
    if (link === null) return null;
    if (link.broken) showBroken();
    const next = link.answers ?? (link.toWizard ? answers : []);
    history.replaceState({ ...history.state, wizard: next }, "", urlFor(next));
    return next;
  }

  /** Back, Forward, or a link within the page: show that entry's step. */
  function followHistory() {
    const next = answersOfThisEntry();
    if (next !== null && !sameAnswers(next, answers)) settle(next, { focus: "stay" });
  }

  /** The first step: a reloaded entry, a link with answers, or what this tab answered last. */
  function start() {
    const kept = validAnswers(data, history.state?.wizard);
    const link = parseHash(window.location.hash, data);
    if (kept) {
      settle(kept, { focus: link !== null });
    } else if (link) {
      if (link.broken) showBroken();
      replace(link.answers ?? (link.toWizard ? (rememberedAnswers(data) ?? []) : []));
    } else {
      const first = rememberedAnswers(data) ?? [];
      history.replaceState({ ...history.state, wizard: first }, "", window.location.href);
      settle(first, { focus: false });
    }
    if (link) root.scrollIntoView({ block: "start" });
  }

  back.addEventListener("click", stepBack);
  restart.addEventListener("click", () => answers.length && push([]));
  window.addEventListener("popstate", followHistory);
  window.addEventListener("hashchange", followHistory);

  tree.hidden = true;
  app.hidden = false;
  root.dataset.enhanced = "true";
  start();
}

const root = document.getElementById("wizard");
const source = document.getElementById("wizard-data");
if (root && source) enhance(root, JSON.parse(source.textContent));
