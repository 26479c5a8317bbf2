// For pages that embed the guide's demo: sizes each demo iframe to its content, removes its
// border, and tells it whether the host page is light or dark.
//
//   <script src="BASE_URL/embed.js" async></script>
//
// where BASE_URL is the site's address, such as https://example.org/repo-name.
//
// Height: the demo inside the frame posts {type: "stateless-guide:height", height: N} to its
// parent whenever its height changes. This script accepts such a message only from the window
// of an <iframe> whose src is this site's embed/ page, only from that iframe's origin, and only
// an integer height from 100 to 20,000; it never reads anything else from a message. Without
// this script the frame works at its own height attribute, scrolling.
//
// Theme: the script posts {type: "stateless-guide:theme", theme: "light" | "dark"} to each demo
// frame, to the embed page's origin only, when the frame reports its height and whenever the
// host's theme changes. The host's theme is the first background that is not transparent, of
// <body> then <html>, and failing both the page's color-scheme. A frame whose URL says
// theme=light or theme=dark keeps it; theme=auto (the default) follows this message.
//
// Border: set here through the CSSOM, which a Content Security Policy without 'unsafe-inline'
// allows, so the snippet needs no style attribute.
//
// The address stays the same from one version of the site to the next, so a host page can keep
// linking it.
(function () {
  "use strict";
  const HEIGHT = "stateless-guide:height";
  const THEME = "stateless-guide:theme";
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

  function demoFrames() {
    return [...document.getElementsByTagName("iframe")].filter(showsTheDemo);
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
    if (data.type !== HEIGHT) return null;
    const height = data.height;
    return Number.isInteger(height) && height >= MIN_HEIGHT && height <= MAX_HEIGHT ? height : null;
  }

  // ---------------------------------------------------------------- the host's theme

  // An opaque-enough colour as [r, g, b] (0-255), or null for a transparent or unread one.
  // Computed colours come as rgb() or rgba(), with commas or spaces.
  function opaqueColour(text) {
    const match = /^rgba?\(([^)]*)\)$/.exec(text.trim());
    if (!match) return null;
    const parts = match[1].split(/[\s,/]+/).filter(Boolean).map(Number.parseFloat);
    if (parts.length < 3 || parts.slice(0, 3).some(Number.isNaN)) return null;
    const alpha = parts.length > 3 ? parts[3] : 1;
    return alpha >= 0.5 ? parts.slice(0, 3) : null;
  }

  // WCAG's relative luminance; below 0.179 black text has less contrast than white: dark.
  function isDark([r, g, b]) {
    const linear = (c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b) < 0.179;
  }

  const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

  // With no background of its own, the page shows the browser's canvas, which follows the
  // page's color-scheme (the CSS property, else the <meta name="color-scheme">).
  function schemeTheme() {
    let scheme = getComputedStyle(document.documentElement).colorScheme;
    if (!scheme || scheme === "normal") {
      scheme = document.querySelector('meta[name="color-scheme"]')?.content ?? "";
    }
    const words = scheme.split(/\s+/);
    if (words.includes("dark") && (!words.includes("light") || systemDark.matches)) return "dark";
    return "light";
  }

  function hostTheme() {
    for (const element of [document.body, document.documentElement]) {
      if (!element) continue;
      const colour = opaqueColour(getComputedStyle(element).backgroundColor);
      if (colour) return isDark(colour) ? "dark" : "light";
    }
    return schemeTheme();
  }

  function tellTheme(iframe, theme) {
    iframe.contentWindow?.postMessage({ type: THEME, theme }, embedPage.origin);
  }

  let told = null;
  function themeChanged() {
    const theme = hostTheme();
    if (theme === told) return;
    told = theme;
    for (const iframe of demoFrames()) tellTheme(iframe, theme);
  }

  // ---------------------------------------------------------------- frames

  // As the snippet's old style="border: 0" did; a border the host set inline is kept.
  function adopt(iframe) {
    if (showsTheDemo(iframe) && !iframe.style.borderStyle && !iframe.style.borderWidth) {
      iframe.style.border = "0";
    }
  }

  window.addEventListener("message", (event) => {
    const height = heightFrom(event.data);
    if (height === null) return;
    const iframe = frameShowing(event.source);
    if (!iframe || !showsTheDemo(iframe) || event.origin !== embedPage.origin) return;
    adopt(iframe);
    iframe.style.height = `${height}px`;
    // A frame reports its height once it has loaded: the moment it can take the theme. Read
    // afresh, as the host's stylesheets may have arrived since.
    themeChanged();
    tellTheme(iframe, told);
  });

  // Docs sites switch theme by an attribute or a class on <html> or <body> (Material for
  // MkDocs and Furo on <body>, Docusaurus on <html>), and the system's setting may change.
  // A background that fades in is read again when its transition ends.
  const watchAttributes = new MutationObserver(themeChanged);
  const watchElements = () => {
    for (const element of [document.documentElement, document.body]) {
      if (element) watchAttributes.observe(element, { attributes: true });
    }
  };
  watchElements();
  if (!document.body) document.addEventListener("DOMContentLoaded", watchElements, { once: true });
  systemDark.addEventListener("change", themeChanged);
  window.addEventListener("load", themeChanged);
  document.addEventListener("transitionend", (event) => {
    if (event.target === document.body || event.target === document.documentElement) themeChanged();
  });

  // Frames added later (single-page docs sites) lose their border as they arrive.
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeName === "IFRAME") adopt(node);
        else if (node.getElementsByTagName) [...node.getElementsByTagName("iframe")].forEach(adopt);
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });

  // A frame that loaded before this script ran has already reported; ask it again. One still
  // on its initial about:blank document will report once it loads.
  told = hostTheme();
  for (const iframe of demoFrames()) {
    adopt(iframe);
    const loading = iframe.contentDocument?.URL === "about:blank";
    if (iframe.contentWindow && !loading) {
      iframe.contentWindow.postMessage({ type: "stateless-guide:measure" }, embedPage.origin);
    }
  }
})();
