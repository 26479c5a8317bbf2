// The diagram's servers and store: their state in the simulator's words, with an icon (never
// colour alone), and the kill and restart buttons.
import { plural } from "guide/demo/format.js";
import { setIcon, setText } from "guide/demo/dom.js";

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
    const { status } = server;
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
    renderLoad(box.querySelector("[data-field=load]"), server.load, snapshot.config.server_threads);
    const button = box.querySelector("[data-action]");
    setText(button, `${server.alive ? "Kill" : "Restart"} Server ${server.name}`);
    button.disabled = !enabled;
  }
  container.dataset.count = String(snapshot.servers.length);
}

// Busy threads against the server's threads, requests waiting, and requests finished per
// second: short on screen, in words for a screen reader.
function renderLoad(line, load, threads) {
  const [shown, spoken] = line.children;
  setText(shown, `${load.busy}/${threads} busy · ${load.queued} queued · ${load.rps}/s`);
  setText(
    spoken,
    `${load.busy} of ${plural(threads, "thread")} busy, ${plural(load.queued, "request")} queued, ` +
      `${load.rps} requests a second`,
  );
}

export function renderStore(root, snapshot, enabled) {
  const store = snapshot.store;
  const box = root.querySelector(".node-store");
  box.dataset.alive = String(store.up);
  box.dataset.used = String(store.used);
  setText(
    box.querySelector("[data-field=store-cart]"),
    store.used ? `Cart: ${plural(store.cart_items ?? 0, "item")}` : "Cart: not kept here in this mode",
  );
  const ops = box.querySelector("[data-field=store-ops]");
  ops.hidden = store.ops_per_s === null; // a mode that keeps no cart in the store
  setText(ops, store.ops_per_s === null ? "" : `${store.ops_per_s} commands/s`);
  setIcon(root, box.querySelector(".status-icon"), store.status.icon);
  setText(box.querySelector(".status-text"), store.status.text);
  const list = box.querySelector("[data-field=store-nodes]");
  const lines = store.node_lines;
  if (list.dataset.lines !== lines.join("|")) {
    list.dataset.lines = lines.join("|");
    list.replaceChildren(...lines.map((line) => Object.assign(document.createElement("li"), { textContent: line })));
  }
  setText(box.querySelector("[data-field=store-disk]"), store.disk);
  const button = box.querySelector("[data-action=toggle-store]");
  setText(button, store.killed ? "Restore database" : "Kill database");
  button.disabled = !enabled;
  const restore = box.querySelector("[data-action=restore-primary]");
  restore.hidden = !store.restorable;
  restore.disabled = !enabled;
}
