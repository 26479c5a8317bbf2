// Renders a simulator snapshot into the demo's DOM. render() gives the same page however
// often it is called with the same snapshot; it computes nothing the simulator has not.

const POLICY_LABELS = {
  round_robin: "Round robin",
  least_connections: "Least connections",
  sticky: "Sticky cookie",
};

export function items(count) {
  return `${count} ${count === 1 ? "item" : "items"}`;
}

export function seconds(ns) {
  return `${(ns / 1e9).toFixed(1)} s`;
}

export function milliseconds(value) {
  if (value === null || value === undefined) return "–";
  return value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`;
}

function setText(element, text) {
  if (element && element.textContent !== text) element.textContent = text;
}

function setIcon(holder, name, icons) {
  if (holder.dataset.icon === name) return;
  holder.dataset.icon = name;
  holder.className = `status-icon status-${name}`;
  holder.replaceChildren(icons.querySelector(`[data-icon="${name}"]`).firstElementChild.cloneNode(true));
}

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

// A server's state in words, and the icon that goes with it (never colour alone).
export function serverStatus(server, snapshot) {
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

function renderServers(root, snapshot, enabled) {
  const container = root.querySelector("#demo-servers");
  const template = root.querySelector("#demo-server-template");
  const icons = root.querySelector("#demo-icons").content;
  const names = snapshot.servers.map((server) => server.name);
  for (const box of [...container.querySelectorAll("[data-server]")]) {
    if (!names.includes(box.dataset.server)) box.remove();
  }
  for (const server of snapshot.servers) {
    const box = serverBox(container, template, server.name);
    const status = serverStatus(server, snapshot);
    box.dataset.alive = String(server.alive);
    box.dataset.status = status.icon;
    setIcon(box.querySelector(".status-icon"), status.icon, icons);
    setText(box.querySelector(".status-text"), status.short);
    box.querySelector("[data-field=status]").title = status.text;
    const session = box.querySelector("[data-field=session]");
    session.hidden = server.session_items === null;
    setText(session, server.session_items === null ? "" : `Session: ${items(server.session_items)}`);
    const backup = box.querySelector("[data-field=backup]");
    backup.hidden = server.backup_items === null;
    setText(backup, server.backup_items === null ? "" : `Backup: ${items(server.backup_items)}`);
    const button = box.querySelector("[data-action]");
    setText(button, `${server.alive ? "Kill" : "Restart"} Server ${server.name}`);
    button.disabled = !enabled;
  }
  container.dataset.count = String(snapshot.servers.length);
}

// The store's state in words and its icon: a failover under way says what Sentinel does next.
export function storeStatus(snapshot) {
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

function renderStore(root, snapshot, enabled) {
  const store = snapshot.store;
  const box = root.querySelector(".node-store");
  const icons = root.querySelector("#demo-icons").content;
  const status = storeStatus(snapshot);
  box.dataset.alive = String(store.up);
  box.dataset.used = String(store.used);
  setText(
    box.querySelector("[data-field=store-cart]"),
    store.used ? `Cart: ${items(store.cart_items ?? 0)}` : "Cart: not kept here in this mode",
  );
  setIcon(box.querySelector(".status-icon"), status.icon, icons);
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

function renderMetrics(root, snapshot) {
  const metrics = snapshot.metrics;
  for (const element of root.querySelectorAll("[data-metric]")) {
    const key = element.dataset.metric;
    setText(element, key.endsWith("_ms") ? milliseconds(metrics[key]) : String(metrics[key]));
  }
  setText(root.querySelector("[data-field=time]"), simulatedTime(snapshot.time_ns));
  const detecting = snapshot.servers.filter((server) => server.detecting).map((s) => s.name);
  setText(
    root.querySelector("[data-field=window]"),
    detecting.length
      ? ` · detection window open for ${detecting.map((n) => `Server ${n}`).join(", ")}`
      : "",
  );
}

// The log is appended to, not rebuilt, so a screen reader announces only the new lines.
function renderLog(root, snapshot) {
  const log = root.querySelector("#demo-log");
  const entries = snapshot.log;
  const lastShown = Number(log.dataset.lastSeq || -1);
  const lastSeq = entries.length ? entries[entries.length - 1].seq : -1;
  // A reset or a replayed link starts a new run: time and sequence numbers go back.
  const earlier = snapshot.time_ns < Number(log.dataset.time || 0);
  if (!log.dataset.lastSeq || lastSeq < lastShown || earlier) {
    log.replaceChildren();
    log.dataset.lastSeq = "-1";
  }
  log.dataset.time = String(snapshot.time_ns);
  const shown = Number(log.dataset.lastSeq);
  const fresh = entries.filter((entry) => entry.seq > shown);
  const pinned = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  for (const entry of fresh) {
    const line = document.createElement("p");
    line.className = `log-line log-${entry.level}`;
    const marker = entry.level === "error" ? "!! " : entry.level === "warn" ? "! " : "> ";
    line.textContent = `${marker}${entry.text}`;
    log.append(line);
  }
  while (log.children.length > snapshot.log_limit) log.firstElementChild.remove();
  log.dataset.lastSeq = String(Math.max(shown, lastSeq));
  if (pinned && fresh.length) log.scrollTop = log.scrollHeight;
}

/** The mode and the balancing policy in the radios, the note, the diagram and the balancer;
 * `checked` is the radio to check. The embed page calls it before Python is ready too. */
export function renderMode(root, mode, policy, checked = mode) {
  for (const radio of root.querySelectorAll("input[name=demo-mode]")) radio.checked = radio.value === checked;
  for (const span of root.querySelectorAll("#demo-mode-note [data-for-mode]")) {
    span.hidden = span.dataset.forMode !== mode;
  }
  root.querySelector("#demo-diagram").dataset.mode = mode;
  root.querySelector("[data-setting=policy]").value = policy;
  setText(root.querySelector("[data-field=policy]"), POLICY_LABELS[policy]);
}

function renderControls(root, snapshot, ui) {
  const enabled = ui.ready;
  // A mode the learner just chose stays checked while snapshots from before it still arrive.
  renderMode(root, snapshot.mode, snapshot.config.policy, ui.pendingMode ?? snapshot.mode);
  for (const radio of root.querySelectorAll("input[name=demo-mode]")) radio.disabled = !enabled;
  const live = snapshot.servers.length;
  const byAction = (name) => root.querySelector(`[data-action="${name}"]`);
  for (const name of ["request", "reset", "compare", "copy-link", "pause", "two-tabs", "failover-store"]) {
    byAction(name).disabled = !enabled;
  }
  byAction("deploy").disabled = !enabled || Boolean(snapshot.deploy);
  // At a limit the button stays focusable (aria-disabled), so the keyboard keeps its place.
  for (const [name, atLimit] of [["add-server", live >= ui.maxServers], ["remove-server", live <= 1]]) {
    byAction(name).disabled = !enabled;
    byAction(name).ariaDisabled = String(atLimit);
  }
  const chaos = byAction("chaos");
  chaos.disabled = !enabled;
  chaos.setAttribute("aria-checked", String(snapshot.chaos.on));
  const traffic = byAction("traffic");
  traffic.disabled = !enabled;
  traffic.setAttribute("aria-checked", String(snapshot.traffic.rate_per_s > 0));
  showRate(root.querySelector("[data-setting=traffic-rate]"), snapshot.traffic.rate_per_s);
  for (const control of root.querySelectorAll("[data-setting], input[name=demo-kill-kind]")) {
    control.disabled = !enabled;
  }
  root.querySelector("[data-setting=redispatch]").checked = snapshot.config.redispatch;
  root.querySelector("[data-setting=store-latency]").value = String(snapshot.store.added_latency_ms);
  renderStoreSettings(root, snapshot.config);
  setText(
    root.querySelector("[data-field=cart]"),
    `Cart: ${items(snapshot.user.cart_items)}`,
  );
}

// A select shows `value`, with an option added for a value a link brought that the list lacks.
function showOption(select, value, label) {
  if (![...select.options].some((option) => option.value === value)) {
    select.append(new Option(label, value));
  }
  select.value = value;
}

// While traffic runs, the Rate select shows its rate; while it is off, it keeps the rate the
// reader last chose.
function showRate(select, rate) {
  if (rate > 0) showOption(select, String(rate), `${rate}/s`);
}

function renderStoreSettings(root, config) {
  const lag = config.store_replication_lag_ms;
  showOption(root.querySelector("[data-setting=replication-lag]"), String(lag), `${lag} ms`);
  root.querySelector("[data-setting=store-wait]").checked = config.store_wait;
  root.querySelector("[data-setting=store-atomic]").checked = config.store_update === "atomic";
}

export function render(root, snapshot, ui) {
  renderControls(root, snapshot, ui);
  renderServers(root, snapshot, ui.ready);
  renderStore(root, snapshot, ui.ready);
  renderMetrics(root, snapshot);
  renderLog(root, snapshot);
}

export function renderPause(root, paused) {
  const button = root.querySelector('[data-action="pause"]');
  const icons = root.querySelector("#demo-icons").content;
  button.querySelector(".icon").replaceWith(
    icons.querySelector(`[data-icon="${paused ? "play" : "pause"}"]`).firstElementChild.cloneNode(true),
  );
  button.querySelector(".label").textContent = paused ? "Resume" : "Pause";
}

// Simulated time in the unit a reader counts it in: seconds, or minutes for a long run
// (`scale`, when given, picks the unit, so "1.8 of 60.0 min" reads in one unit).
export function simulatedTime(ns, scale = ns) {
  return scale < 120e9 ? seconds(ns) : `${(ns / 60e9).toFixed(1)} min`;
}

function count(value) {
  return value.toLocaleString("en");
}

const COMPARED = [
  ["Items lost", (m) => count(m.lost_items)],
  ["Sessions lost", (m) => count(m.lost_sessions)],
  ["Failed requests", (m) => count(m.failed)],
  ["Retried", (m) => count(m.retried)],
  ["Latency p50", (m) => milliseconds(m.p50_ms)],
  ["Latency p99", (m) => milliseconds(m.p99_ms)],
];

// One column per mode and a row per figure, so three narrow columns fit a phone.
export function renderComparison(root, result, labels) {
  const modes = Object.keys(result.modes);
  const head = document.createElement("tr");
  for (const text of ["", ...modes.map((mode) => labels[mode] ?? mode)]) {
    const cell = document.createElement(text ? "th" : "td");
    if (text) {
      cell.scope = "col";
      cell.textContent = text;
    }
    head.append(cell);
  }
  root.querySelector("#demo-compare-head").replaceChildren(head);
  const rows = COMPARED.map(([name, value]) => {
    const row = document.createElement("tr");
    const header = document.createElement("th");
    header.scope = "row";
    header.textContent = name;
    row.append(header);
    for (const mode of modes) {
      const cell = document.createElement("td");
      cell.textContent = value(result.modes[mode]);
      row.append(cell);
    }
    return row;
  });
  root.querySelector("#demo-compare-rows").replaceChildren(...rows);
  setText(root.querySelector("#demo-compare-time"), simulatedTime(result.time_ns));
  root.querySelector("#demo-compare").hidden = false;
  renderCompareHint(root);
}

// On a screen too narrow for every column (a small embed), say that the table scrolls.
export function renderCompareHint(root) {
  const scroller = root.querySelector("#demo-compare");
  const hint = root.querySelector("#demo-compare-hint");
  hint.hidden = scroller.hidden || scroller.querySelector("table").offsetWidth <= scroller.clientWidth;
}

// While the other modes catch up with the run: a busy button and how far they have got.
// `progress` is null once the comparison is over.
export function renderComparing(root, progress) {
  const button = root.querySelector('[data-action="compare"]');
  const holder = root.querySelector("#demo-comparing");
  const bar = holder.querySelector("progress");
  if (progress === null) {
    button.removeAttribute("aria-disabled");
    button.removeAttribute("aria-busy");
    holder.hidden = true;
    return;
  }
  button.setAttribute("aria-disabled", "true");
  button.setAttribute("aria-busy", "true");
  holder.hidden = false;
  const { done_ns, total_ns } = progress;
  if (total_ns) {
    bar.max = total_ns;
    bar.value = done_ns;
  } else {
    bar.removeAttribute("value");
  }
  const text = total_ns
    ? `Comparing modes: the other modes have replayed ${simulatedTime(done_ns, total_ns)} of ${simulatedTime(total_ns)} of simulated time`
    : "Comparing modes…";
  setText(holder.querySelector("#demo-comparing-text"), text);
}
