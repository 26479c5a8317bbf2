// The embed page's first script, a classic one so that the theme applies before the first
// paint. It reads the query parameters once and checks each against the table the build wrote
// (#embed-config): a bad value gets a notice and the default. The values only ever select
// among fixed choices or, for `scenario`, go to the simulator's parser as a string; nothing
// from the URL is run or written as HTML. demo.js reads the result from
// window[Symbol.for("guide.embed")]; CSS reads data-theme, data-steps and data-controls.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("embed-config").textContent);
  const params = new URLSearchParams(location.search);
  const known = ["scenario", "mode", ...Object.keys(config.options)];
  const notices = [];

  // A value as the reader sees it in a notice: quoted, and cut short if it is long.
  function quoted(value) {
    return `“${value.length > 40 ? value.slice(0, 40) + "…" : value}”`;
  }

  // The parameter's value if it is one of `allowed`; null if it is absent or bad, and a bad
  // one (or one given twice) gets a notice that says what happens instead.
  function checked(name, allowed, instead) {
    const values = params.getAll(name);
    if (values.length === 0) return null;
    if (values.length > 1) {
      notices.push(`The embed’s ${name} parameter is given ${values.length} times, so ${instead}.`);
      return null;
    }
    if (allowed === null || allowed.includes(values[0])) return values[0];
    notices.push(
      `The embed’s ${name} ${quoted(values[0])} is not one of ${allowed.join(", ")}, so ${instead}.`,
    );
    return null;
  }

  function option(name) {
    const allowed = config.options[name];
    return checked(name, allowed, `it uses ${allowed[0]}`) ?? allowed[0];
  }

  // What the page says when the demo cannot run here; simReady (boot.js) rejects with it.
  function showCannotRun(lines) {
    const message = "The demo cannot run in this sandboxed frame.";
    const notice = document.getElementById("demo-notice");
    notice.textContent = lines.join(" ");
    notice.hidden = false;
    document.getElementById("demo-status").textContent = message;
    document.getElementById("demo-progress").hidden = true;
    document.getElementById("demo").dataset.state = "failed";
    window[Symbol.for("guide.simReady.settle")].reject(new Error(message));
  }

  const unknown = [...new Set(params.keys())].filter((name) => !known.includes(name));
  if (unknown.length) {
    const names = unknown.slice(0, 3).map(quoted).join(", ") + (unknown.length > 3 ? " and more" : "");
    notices.push(`The embed ignores ${names}: it knows only ${known.join(", ")}.`);
  }
  const scenario = checked("scenario", null, "the demo starts from the defaults");
  const mode = checked("mode", config.modes, "the demo starts in the default mode");
  if (scenario !== null && mode !== null) {
    notices.push(`The embed ignores mode ${quoted(mode)}: the scenario carries its own mode.`);
  }
  const options = {
    scenario,
    mode: scenario === null ? mode : null, // a shared scenario carries its own mode
    steps: option("steps") === "1",
    controls: option("controls"),
    theme: option("theme"),
    autostart: option("autostart") === "1",
  };

  // In a frame sandboxed without allow-same-origin the page's origin is opaque ("null"): the
  // browser refuses it the module scripts (fetched with CORS), the worker and Cache Storage,
  // and the demo would wait for ever. Say so instead, here, since no module will run.
  const sandboxed = window.origin === "null";
  if (sandboxed) {
    notices.unshift(
      "This frame is sandboxed without allow-same-origin, so the demo cannot run: its module " +
        "scripts, its Python worker and its saved copy of Python (Cache Storage) need the frame’s " +
        "own origin. The page that embeds it can add allow-same-origin beside allow-scripts in the " +
        "iframe’s sandbox attribute.",
    );
    document.addEventListener("DOMContentLoaded", () => showCannotRun(notices), { once: true });
  }

  const root = document.documentElement;
  root.dataset.theme = options.theme;
  root.dataset.steps = options.steps ? "1" : "0";
  root.dataset.controls = options.controls;
  Object.defineProperty(window, Symbol.for("guide.embed"), {
    value: Object.freeze({
      options: Object.freeze(options),
      notices: Object.freeze(notices),
      guideURL: config.guideURL,
      sandboxed, // boot.js leaves the failure of the page's modules to showCannotRun
    }),
  });
})();
