// Inside an iframe, the demo's side of its conversation with the host page's embed.js.
//
// Out: how tall the demo is, so that the host can size the frame to fit:
// {type: "stateless-guide:height", height: N}, on load and whenever the height changes. The
// height is no secret, so it goes to any parent ("*"); the host's script checks where it came
// from.
//
// In: {type: "stateless-guide:theme", theme: "light" | "dark"}, the host page's own theme,
// taken only from the parent window (and its origin, where the browser names it) and only
// when the embed's theme option is auto; the page switches colours at once (embed.css).
const MIN_HEIGHT = 100;
const MAX_HEIGHT = 20000;
const THEMES = ["light", "dark"];

const embed = window[Symbol.for("guide.embed")];

function fromParent(event) {
  if (event.source !== window.parent) return false;
  const parentOrigin = location.ancestorOrigins?.[0];
  return !parentOrigin || event.origin === parentOrigin;
}

function themeFrom(data) {
  if (data === null || typeof data !== "object" || Object.keys(data).length !== 2) return null;
  if (data.type !== "stateless-guide:theme") return null;
  return THEMES.includes(data.theme) ? data.theme : null;
}

if (window.parent !== window) {
  let reported = 0;
  const report = (always) => {
    const measured = Math.ceil(document.documentElement.getBoundingClientRect().height);
    const height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, measured));
    if (height === reported && !always) return;
    reported = height;
    window.parent.postMessage({ type: "stateless-guide:height", height }, "*");
  };
  // Once now, which also asks the host for its theme at once: a frame out of view gets no
  // rendering, so its ResizeObserver may not report until the reader scrolls to it.
  report(true);
  new ResizeObserver(() => report(false)).observe(document.documentElement);
  window.addEventListener("message", (event) => {
    if (!fromParent(event)) return;
    // embed.js asks once when it starts, in case it missed the first report.
    if (event.data?.type === "stateless-guide:measure") report(true);
    const theme = themeFrom(event.data);
    if (theme && embed.options.theme === "auto") document.documentElement.dataset.theme = theme;
  });
}
