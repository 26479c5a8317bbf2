// For pages that embed the guide's demo: sizes each demo iframe to its content.
//
//   <script src="BASE_URL/embed.js" async></script>
//
// where BASE_URL is the site's address, such as https://example.org/repo-name.
//
// The demo inside the frame posts {type: "stateless-guide:height", height: N} to its parent
// whenever its height changes. This script accepts such a message only from the window of an
// <iframe> whose src is this site's embed/ page, only from that iframe's origin, and only an
// integer height from 100 to 20,000; it never reads anything else from a message. Without this
// script the frame works at its own height attribute, scrolling. The address stays the same
// from one version of the site to the next, so a host page can keep linking it.
(function () {
  "use strict";
  const MESSAGE = "stateless-guide:height";
  const MIN_HEIGHT = 100;
  const MAX_HEIGHT = 20000;
  const script = document.currentScript;
  if (!script || !script.src) return; // not loaded by a <script src>: no site to match against
  const embedPage = new URL("embed/", script.src);

  // The snippet pasted twice loads this twice; one listener per site is enough.
  const installed = (window[Symbol.for("stateless-guide.embed.sites")] ??= new Set());
  if (installed.has(embedPage.href)) return;
  installed.add(embedPage.href);

  function showsTheDemo(iframe) {
    let url;
    try {
      url = new URL(iframe.src);
    } catch {
      return false;
    }
    return url.origin === embedPage.origin && url.pathname.startsWith(embedPage.pathname);
  }

  // Looked up when a message arrives, so frames added later (single-page docs sites) work too.
  function frameShowing(source) {
    for (const iframe of document.getElementsByTagName("iframe")) {
      if (iframe.contentWindow === source && source !== null) return iframe;
    }
    return null;
  }

  function heightFrom(data) {
    if (data === null || typeof data !== "object" || Object.keys(data).length !== 2) return null;
    if (data.type !== MESSAGE) return null;
    const height = data.height;
    return Number.isInteger(height) && height >= MIN_HEIGHT && height <= MAX_HEIGHT ? height : null;
  }

  window.addEventListener("message", (event) => {
    const height = heightFrom(event.data);
    if (height === null) return;
    const iframe = frameShowing(event.source);
    if (!iframe || !showsTheDemo(iframe) || event.origin !== embedPage.origin) return;
    iframe.style.height = `${height}px`;
  });

  // A frame that loaded before this script ran has already reported; ask it again. One still
  // on its initial about:blank document will report once it loads.
  for (const iframe of document.getElementsByTagName("iframe")) {
    const loading = iframe.contentDocument?.URL === "about:blank";
    if (showsTheDemo(iframe) && iframe.contentWindow && !loading) {
      iframe.contentWindow.postMessage({ type: "stateless-guide:measure" }, embedPage.origin);
    }
  }
})();
