// Inside an iframe, tells the host page how tall the demo is, so that the host's embed.js can
// size the frame to fit: {type: "stateless-guide:height", height: N}, on load and whenever
// the height changes. The height is no secret, so it goes to any parent ("*"); the host's
// script checks where it came from.
const MIN_HEIGHT = 100;
const MAX_HEIGHT = 20000;

if (window.parent !== window) {
  let reported = 0;
  const report = (always) => {
    const measured = Math.ceil(document.documentElement.getBoundingClientRect().height);
    const height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, measured));
    if (height === reported && !always) return;
    reported = height;
    window.parent.postMessage({ type: "stateless-guide:height", height }, "*");
  };
  new ResizeObserver(() => report(false)).observe(document.documentElement);
  // embed.js asks once when it starts, in case it missed the first report.
  window.addEventListener("message", (event) => {
    if (event.source === window.parent && event.data?.type === "stateless-guide:measure") report(true);
  });
}
