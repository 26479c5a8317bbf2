// The diagram's servers and store: their state in words and icons (never colour alone), and
// the kill and restart buttons. Each word reads a field of the snapshot; nothing is decided here.
import { plural, seconds } from "guide/demo/format.js";
import { setIcon, setText } from "guide/demo/dom.js";

// What a rolling deploy is doing to this server, in words, or null if it is not at this server.
function deployStatus(server, snapshot) {
  const deploy = snapshot.deploy;
  if (!deploy || deploy.server !== server.name) return null;
  if (deploy.phase === "draining") {
    return {
      icon: "draining",
      text: `Draining for a deploy (${snapshot.config.drain_ms / 1000} s): no new users; requests whose cookie names it still arrive, and those inside finish`,
      short: "Draining for the deploy",
    };
  }
  if (deploy.phase === "stopped") {
    return { icon: "replacing", text: "Stopped for the deploy; the new version starts empty", short: "Stopped for the deploy" };
  }
  return {
    icon: "readmitting",
    text: `New version up, empty; the balancer re-admits it after ${snapshot.config.rise} passing health checks, then the deploy moves on`,
    short: "New version, not yet re-admitted",
  };
}

// A server's state in words, and the icon that goes with it.
function serverStatus(server, snapshot) {
  const config = snapshot.config;
  const deploying = deployStatus(server, snapshot);
  if (deploying && (server.alive || snapshot.deploy.phase === "stopped")) return deploying;
  if (!server.alive) {
    const how = server.kill_kind === "vanish" ? "vanished" : "crashed";
    if (server.detecting) {
      const since = seconds(snapshot.time_ns - server.killed_at_ns);
      return {
        icon: "detecting",
        text: `Down (${how}), not yet detected: the balancer still sends it requests (${since} since the kill; health checks every ${config.health_check_interval_ms / 1000} s, ${config.fall} failures mark it down)`,
        short: `Down (${how}), not yet detected`,
      };
    }
    return { icon: "down", text: `Down (${how}); the balancer has marked it down`, short: `Down (${how})` };
  }
  if (server.lb_status === "drain") {
    return { icon: "draining", text: "Draining: only requests whose cookie names it", short: "Draining" };
  }
  if (server.lb_status === "down") {
    return {
      icon: "readmitting",
      text: `Up again, empty; the balancer re-admits it after ${config.rise} passing health checks`,
      short: "Up, not yet re-admitted",
    };
  }
  return { icon: "up", text: "Up", short: "Up" };
}

function serverBox(container, template, name) {
  let box = container.querySelector(`[data-server="${name}"]`);
  if (box) return box;
  box = template.content.firstElementChild.cloneNode(true);
  box.dataset.server = name;
  box.setAttribute("aria-label", `Server ${name}`);
  box.querySelector(".node-name").textContent = `Server ${name}`;
  box.querySelector("[data-action]").textContent = `Kill Server ${name}`;
  container.append(box);
  return box;
}

export function renderServers(root, snapshot, enabled) {
  const container = root.querySelector("#demo-servers");
  const template = root.querySelector("#demo-server-template");
  const names = snapshot.servers.map((server) => server.name);
  for (const box of [...container.querySelectorAll("[data-server]")]) {
    if (!names.includes(box.dataset.server)) box.remove();
  }
  for (const server of snapshot.servers) {
    const box = serverBox(container, template, server.name);
    const status = serverStatus(server, snapshot);
    box.dataset.alive = String(server.alive);
    box.dataset.status = status.icon;
    setIcon(root, box.querySelector(".status-icon"), status.icon);
    setText(box.querySelector(".status-text"), status.short);
    box.querySelector("[data-field=status]").title = status.text;
    const session = box.querySelector("[data-field=session]");
    session.hidden = server.session_items === null;
    setText(session, server.session_items === null ? "" : `Session: ${plural(server.session_items, "item")}`);
    const backup = box.querySelector("[data-field=backup]");
    backup.hidden = server.backup_items === null;
    setText(backup, server.backup_items === null ? "" : `Backup: ${plural(server.backup_items, "item")}`);
    const button = box.querySelector("[data-action]");
    setText(button, `${server.alive ? "Kill" : "Restart"} Server ${server.name}`);
    button.disabled = !enabled;
  }
  container.dataset.count = String(snapshot.servers.length);
}

// The store's state in words and its icon: a failover under way says what Sentinel does next.
function storeStatus(snapshot) {
  const { store } = snapshot;
  const failover = store.failover;
  if (failover) {
    const left = seconds(Math.max(0, failover.until_ns - snapshot.time_ns));
    return failover.phase === "detecting"
      ? { icon: "detecting", text: `Primary down; Sentinel calls it down in ${left}` }
      : { icon: "readmitting", text: `Failing over; the replica is the primary in ${left}` };
  }
  return store.up ? { icon: "up", text: "Up" } : { icon: "down", text: "Down" };
}

// Whether Kill database has made the store unreachable: no node answers (during a failover the
// replica still does).
export function storeKilled(snapshot) {
  return snapshot.store.nodes.every((node) => !node.up);
}

// One line per Redis node: its role, and whether it answers.
function nodeLine(node, config) {
  if (node.role === "down") return `${node.name}: old primary, down`;
  const state = node.up ? "up" : "down";
  const lag = config.store_replication_lag_ms;
  const trails = node.role === "replica" && node.up ? (lag ? `, ${lag} ms behind` : ", in step") : "";
  return `${node.name}: ${node.role}, ${state}${trails}`;
}

export function renderStore(root, snapshot, enabled) {
  const store = snapshot.store;
  const box = root.querySelector(".node-store");
  const status = storeStatus(snapshot);
  box.dataset.alive = String(store.up);
  box.dataset.used = String(store.used);
  setText(
    box.querySelector("[data-field=store-cart]"),
    store.used ? `Cart: ${plural(store.cart_items ?? 0, "item")}` : "Cart: not kept here in this mode",
  );
  setIcon(root, box.querySelector(".status-icon"), status.icon);
  const latency = store.added_latency_ms ? `, +${store.added_latency_ms} ms latency` : "";
  setText(box.querySelector(".status-text"), status.text + latency);
  const list = box.querySelector("[data-field=store-nodes]");
  const lines = store.nodes.map((node) => nodeLine(node, snapshot.config));
  if (list.dataset.lines !== lines.join("|")) {
    list.dataset.lines = lines.join("|");
    list.replaceChildren(...lines.map((line) => Object.assign(document.createElement("li"), { textContent: line })));
  }
  const button = box.querySelector("[data-action=toggle-store]");
  setText(button, storeKilled(snapshot) ? "Restore database" : "Kill database");
  button.disabled = !enabled;
  const restore = box.querySelector("[data-action=restore-primary]");
  restore.hidden = !store.nodes.some((node) => node.role === "down") || Boolean(store.failover);
  restore.disabled = !enabled;
}
