// The demo's elements, found once, and its notice line.
import { embed } from "guide/bridge/handover.js";

export const root = document.getElementById("demo");
export const status = document.getElementById("demo-status");
export const progress = document.getElementById("demo-progress");
export const retry = document.getElementById("demo-retry");
export const startButton = document.getElementById("demo-start");
export const diagram = document.getElementById("demo-diagram");
export const shareOutput = document.getElementById("demo-share-output");
export const outcome = document.getElementById("demo-steps-outcome");
const notice = document.getElementById("demo-notice");

// The embed's notices about its parameters stay; a link's unknown lesson is said until a
// lesson is chosen; the run's notices come and go beside it.
const notices = { lesson: "", run: "" };
export function showNotice(text, about = "run") {
  notices[about] = text;
  const lines = [...(embed ? embed.notices : []), notices.lesson, notices.run].filter(Boolean);
  notice.textContent = lines.join(" ");
  notice.hidden = !lines.length;
}

// Once the reader acts on a shared run, or the page could not use the link, the address no
// longer names that link: a reload must not replay it over the reader's run, nor repeat its
// notice. An embed's address is its host page's: left alone.
export function forgetSharedAddress() {
  if (embed || !new URLSearchParams(location.search).has("scenario")) return;
  const url = new URL(location.href);
  url.searchParams.delete("scenario");
  history.replaceState(history.state, "", url.href);
}

// Until the simulator's own log arrives, the log says what the demo is doing.
export function showFirstLogLine(text) {
  document.querySelector("#demo-log .log-line").textContent = `> ${text}`;
}
