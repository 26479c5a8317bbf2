// The rules of three lessons, each a failure met more often than a crash: a rolling deploy, a
// store failover, two tabs at once. Like the crash lesson (lesson-steps.js), a rule reads the
// snapshots before and after an action and ticks steps off; the simulator decides everything.
import { plural } from "guide/demo/format.js";

const SURVIVES = {
  survives: "You expected the cart to survive.",
  lost: "You expected the cart to be lost.",
  unsure: "You were not sure what would happen.",
};

const STATEFUL = ["stateful", "replicated"];

// ---------------------------------------------------------------- a rolling deploy

export const deployLesson = {
  order: ["deploy-session", "predict", "deploy-stateful", "deploy-stateless", "deploy-replicated"],
  predictions: SURVIVES,
  observe(steps, action, before, after) {
    const memo = steps.memo;
    if (after.mode === "stateful" && after.servers.some((s) => s.session_items !== null)) {
      steps.mark("deploy-session");
    }
    if (action.type === "reset") memo.deploy = null;
    if (after.deploy && !memo.deploy) {
      memo.deploy = { mode: after.mode, lostItems: before?.user.lost_items ?? 0 };
    }
    // The deploy is over when the snapshot stops reporting one (a reset is not an ending).
    if (!memo.deploy || after.deploy || action.type === "reset") return;
    const { mode, lostItems } = memo.deploy;
    memo.deploy = null;
    const metrics = after.metrics;
    const lost = after.user.lost_items - lostItems;
    const counts = `${plural(metrics.failed, "request")} failed, ${plural(metrics.lost_sessions, "session")} lost`;
    if (mode === "stateful" && lost > 0) {
      steps.mark("deploy-stateful");
      steps.say(
        `${steps.predicted("You deployed before predicting.")} The deploy is over: ${counts}, and your ` +
          `cart lost ${plural(lost, "item")}. Draining let requests finish, but each server stopped with its ` +
          "sessions in memory and started empty.",
      );
    } else if (mode === "stateless" && lost === 0) {
      steps.mark("deploy-stateless");
      steps.say(
        `The deploy is over: ${counts}, and the cart has all ${plural(after.user.acknowledged_items, "item")}. ` +
          "No server held it, so replacing every server cost capacity, not data.",
      );
    } else if (mode === "replicated" && lost === 0) {
      steps.mark("deploy-replicated");
      steps.say(
        `The deploy is over: ${counts}, and the cart kept all ${plural(after.user.acknowledged_items, "item")}. ` +
          "Each server that stopped cleanly told the others, and the servers holding its backups promoted " +
          "them at once; the deploy waited for each new server before stopping the next.",
      );
    }
  },
};

// ---------------------------------------------------------------- a store failover

export const failoverLesson = {
  order: ["failover-requests", "predict", "failover-lost", "failover-wait"],
  predictions: SURVIVES,
  observe(steps, action, before, after) {
    const memo = steps.memo;
    if (after.mode === "stateless" && after.config.store_replication_lag_ms > 0 && after.user.acknowledged_items >= 2) {
      steps.mark("failover-requests");
    }
    if (action.type === "reset") memo.failover = null;
    if (action.type === "failover_store" && before) {
      memo.failover = { mode: after.mode, lostItems: before.user.lost_items, failed: before.metrics.failed };
    }
    // The failover is over when the store serves again (a reset is not an ending).
    if (!memo.failover || !after.store.up || after.store.failover || action.type === "reset") return;
    const { mode } = memo.failover;
    const lost = after.user.lost_items - memo.failover.lostItems;
    const failed = after.metrics.failed - memo.failover.failed;
    memo.failover = null;
    if (mode !== "stateless") {
      steps.say("The store failed over, and the cart did not notice: this mode keeps it in a server’s memory.");
      return;
    }
    const config = after.config;
    const outage = (config.store_down_after_ms + config.store_failover_ms) / 1000;
    const failures = failed
      ? `${plural(failed, "request")} failed meanwhile`
      : "any request in that time would have failed (Auto traffic shows it)";
    const down =
      `The store served nobody for ${outage} s: Sentinel waited ${config.store_down_after_ms / 1000} s ` +
      `to call the primary down, then promoted the replica; ${failures}.`;
    if (!config.store_wait && lost > 0) {
      steps.mark("failover-lost");
      steps.say(
        `${steps.predicted("You failed the store over before predicting.")} ${down} ` +
          `${plural(lost, "acknowledged item")} did not reach the replica within the lag and ${lost === 1 ? "is" : "are"} gone.`,
      );
    } else if (!config.store_wait) {
      steps.say(
        `${down} Nothing was lost this time: your last write was older than the lag. ` +
          "Send a request and press Fail over the store straight after it.",
      );
    } else if (lost === 0) {
      steps.mark("failover-wait");
      const p50 = after.metrics.p50_ms === null ? "" : ` (median latency now ${after.metrics.p50_ms.toFixed(2)} ms)`;
      steps.say(
        `${down} Nothing acknowledged was lost: each write waited for the replica before its answer${p50}. ` +
          "Now there is no replica, so with WAIT every write hangs until Restore the old primary brings one back.",
      );
    }
  },
};

// ---------------------------------------------------------------- two tabs at once

export const twoTabsLesson = {
  order: ["tabs-session", "predict", "tabs-race", "tabs-atomic", "tabs-memory"],
  predictions: {
    two: "You expected the cart to gain two items.",
    one: "You expected the cart to gain one item.",
    unsure: "You were not sure what would happen.",
  },
  observe(steps, action, before, after) {
    if (after.mode === "stateless" && after.user.acknowledged_items >= 1) steps.mark("tabs-session");
    if (action.type !== "request" || action.tabs !== 2 || !before) return;
    const gained = after.user.cart_items - before.user.cart_items;
    const lost = after.user.lost_items - before.user.lost_items;
    const acknowledged = after.user.acknowledged_items - before.user.acknowledged_items;
    const went = `The cart went from ${before.user.cart_items} to ${after.user.cart_items}`;
    const atomic = after.config.store_update === "atomic";
    if (after.mode === "stateless" && !atomic && lost > 0) {
      steps.mark("tabs-race");
      steps.say(
        `${steps.predicted("You sent both tabs before predicting.")} ${went}: both tabs were answered, ` +
          `and ${plural(lost, "item")} ${lost === 1 ? "was" : "were"} lost. Each request read the same cart, added its item and wrote the ` +
          "whole cart back; the last write won.",
      );
    } else if (after.mode === "stateless" && atomic && gained === 2) {
      steps.mark("tabs-atomic");
      steps.say(`${went}: nothing lost. Each request added its item with one atomic command in the store.`);
    } else if (STATEFUL.includes(after.mode) && acknowledged === 2 && lost === 0) {
      const holder = after.servers.find((s) => s.session_items !== null);
      const session = holder ? ` The session on Server ${holder.name} has ${plural(holder.session_items, "item")}.` : "";
      steps.mark("tabs-memory");
      steps.say(
        `Both tabs were answered and nothing was lost.${session} Both requests reached the server holding the session, and the ` +
          "application’s lock on the session made them take turns. Without that lock, the same " +
          "read-modify-write would lose an item in memory too.",
      );
    } else if (gained === 1 && before.user.acknowledged_items === 0) {
      steps.say("Each tab started a session of its own, and the browser kept the last one: send one request first.");
    }
  },
};
