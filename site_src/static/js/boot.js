// The page's first script, a classic one so it runs before anything can await it:
// window.simReady exists from here on and is never replaced (tests and embedders rely on it).
(function () {
  "use strict";
  let settle;
  const ready = new Promise((resolve, reject) => {
    settle = { resolve, reject };
  });
  // A page nobody awaits must not report an unhandled rejection; awaiting callers still see it.
  ready.catch(() => {});
  Object.defineProperty(window, "simReady", { value: ready, enumerable: true });
  Object.defineProperty(window, Symbol.for("guide.simReady.settle"), { value: settle });
  document.documentElement.classList.add("js");
})();
