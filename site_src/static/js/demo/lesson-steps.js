// The guided steps ("Try this"): each lesson's steps tick themselves off when what the learner
// did shows in a snapshot. This reads snapshots only; it never decides anything about the
// simulation. A lesson is a list of step ids and a rule, observe(steps, action, before, after),
// called with every action sent (advances included) and the snapshots before and after it.

const PREDICTIONS = {
  survives: "You expected the cart to survive.",
  lost: "You expected the cart to be lost.",
  unsure: "You were not sure what would happen.",
};

// The servers alive in `before` and dead in `after` (none across a reset: it starts over).
function killed(before, after) {
  if (!before || before.mode !== after.mode) return [];
  const dead = new Set(after.servers.filter((s) => !s.alive).map((s) => s.name));
  return before.servers.filter((s) => s.alive && dead.has(s.name));
}

// Who started the empty cart: the killed server itself after its restart, or another one.
function whoAnswered(killedName, answeredName) {
  if (killedName === answeredName) {
    return `Server ${killedName} came back empty after its restart and started a new, empty cart.`;
  }
  return `Server ${answeredName}, which took over, started a new, empty cart.`;
}

// The first lesson: kill the server that holds the session, in each mode.
export const crashLesson = {
  order: ["stateless-requests", "stateless-kill", "stateful-session", "predict", "stateful-kill", "replicated-kill"],
  predictions: PREDICTIONS,
  observe(steps, action, before, after) {
    const memo = steps.memo;
    const mode = after.mode;
    const you = after.traces.filter((t) => t.user === after.user.id);
    const lastTrace = you[you.length - 1];
    if (action.type === "reset") memo.sessionKilled = null;
    if (mode === "stateless" && after.store.cart_items >= 2) steps.mark("stateless-requests");
    // A server up before and down after was killed, by the learner or by Chaos Monkey.
    for (const server of killed(before, after)) {
      if (server.session_items !== null && mode !== "stateless") {
        memo.sessionKilled = { mode, items: server.session_items, server: server.name };
      }
      if (mode === "stateless") memo.sessionKilled = { mode, items: before.user.cart_items };
    }
    if (action.type !== "request" || !lastTrace) return;
    const sessionKilled = memo.sessionKilled;
    const answered = lastTrace.status === 200;
    if (mode === "stateless" && sessionKilled?.mode === "stateless" && answered) {
      if (after.user.cart_items === after.user.acknowledged_items) steps.mark("stateless-kill");
    }
    if (mode === "stateful" && after.servers.some((s) => s.session_items !== null)) {
      steps.mark("stateful-session");
    }
    if (mode === "stateful" && sessionKilled?.mode === "stateful" && answered) {
      steps.mark("stateful-kill");
      const lost = after.user.lost_items;
      steps.say(
        `${steps.predicted("You killed the server before predicting.")} ` +
          `The cart went from ${sessionKilled.items} to ${after.user.cart_items} ` +
          `after one more item: ${lost} lost. The session lived only in Server ${sessionKilled.server}’s memory, ` +
          `so ${whoAnswered(sessionKilled.server, lastTrace.server)}`,
      );
      memo.sessionKilled = null;
    }
    if (mode === "replicated" && sessionKilled?.mode === "replicated" && answered) {
      if (after.user.cart_items === sessionKilled.items + 1) {
        steps.mark("replicated-kill");
        const window = after.config.membership_drop_ms / 1000;
        steps.say(
          `The cart survived with ${after.user.cart_items} items: the backup copy on another ` +
            "server took over. Kill the backup and then the primary before any request reaches the " +
            `primary and within the ${window} s the cluster takes to notice a silent member, and it is ` +
            "lost; replication costs a synchronous copy on every request (see the p50 latency).",
        );
      }
      memo.sessionKilled = null;
    }
  },
};

// One lesson's progress: which steps are done, the prediction, and what its rule remembers.
export class GuidedSteps {
  constructor(list, outcome, lesson) {
    this.list = list;
    this.outcome = outcome;
    this.lesson = lesson;
    this.done = new Set();
    this.prediction = null;
    this.memo = {}; // what the lesson's rule keeps between snapshots
  }

  predict(value) {
    this.prediction = value;
    this.mark("predict");
  }

  // The learner's prediction as a sentence, or `otherwise` when none was given.
  predicted(otherwise) {
    return this.lesson.predictions[this.prediction] ?? otherwise;
  }

  observe(action, before, after) {
    this.lesson.observe(this, action, before, after);
  }

  mark(step) {
    if (this.done.has(step)) return;
    this.done.add(step);
    this.render();
  }

  say(text) {
    this.outcome.textContent = text;
  }

  render() {
    const next = this.lesson.order.find((step) => !this.done.has(step));
    for (const item of this.list.querySelectorAll("[data-step]")) {
      const step = item.dataset.step;
      const done = this.done.has(step);
      item.dataset.state = done ? "done" : step === next ? "current" : "todo";
      let badge = item.querySelector(".step-badge");
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "step-badge";
        item.prepend(badge);
      }
      badge.textContent = done ? "Done: " : step === next ? "Next: " : "";
    }
  }
}
