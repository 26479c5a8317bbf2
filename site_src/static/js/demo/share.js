// Sharing a run: Copy link puts the run's scenario in a link, a run too long for one is offered
// as a file, and Open a run file replays such a file.
import { calls } from "guide/bridge/messages.js";
import { embed } from "guide/bridge/handover.js";
import { forgetComparison } from "guide/demo/compare.js";
import { skipTracesSoFar } from "guide/demo/dots.js";
import { lessonHash, showLesson } from "guide/demo/lesson-view.js";
import { replayRun } from "guide/demo/replay.js";
import { shareOutput, showNotice, status } from "guide/demo/page.js";
import { run, ui } from "guide/demo/state.js";
import { renderAll, renderPause } from "guide/demo/view.js";

let savedRunURL = null; // the file offered last, released when another is offered

export async function copyLink() {
  await run.queue;
  const snapshot = run.snapshot;
  if (!snapshot.scenario_shareable) {
    offerFile(snapshot);
    return;
  }
  const url = new URL(embed ? embed.guideURL : location.href, location.href); // the full guide
  url.search = new URLSearchParams({ scenario: snapshot.scenario }).toString();
  url.hash = lessonHash();
  try {
    await navigator.clipboard.writeText(url.href);
    shareOutput.textContent = "Link copied. It replays this run, action by action.";
  } catch {
    shareOutput.textContent = `Copy this link: ${url.href}`;
  }
}

// A run too long for a link can still be kept whole: as a file, which "Open a run file" replays.
function offerFile(snapshot) {
  if (!snapshot.scenario_savable) {
    shareOutput.textContent = "This run is too long to share or save. Reset and try a shorter one.";
    return;
  }
  // The simulator's first line says how long the run is, so a file cut short is refused.
  const file = new Blob([snapshot.run_file_head, snapshot.scenario, "\n"], { type: "text/plain" });
  const link = document.createElement("a");
  if (savedRunURL) URL.revokeObjectURL(savedRunURL);
  savedRunURL = link.href = URL.createObjectURL(file);
  link.download = "chaos-monkey-run.txt";
  link.textContent = "Download this run as a file";
  shareOutput.replaceChildren(
    `This run is too long for a link (${snapshot.scenario.length.toLocaleString("en")} characters; a link holds ${snapshot.scenario_link_limit.toLocaleString("en")}). `,
    link,
    ". “Open a run file” replays it, here or on another computer.",
  );
}

export async function openRunFile(input) {
  const [file] = input.files;
  input.value = "";
  if (!file || !ui.ready) return;
  let text;
  try {
    text = await file.text();
  } catch {
    showNotice("The file could not be read.");
    return;
  }
  const wasPaused = ui.paused;
  const wasPausedForLink = ui.pausedForLink;
  ui.paused = true; // time waits during the replay; the replayed moment stays put, as a link's
  ui.pausedForLink = true;
  renderPause(true);
  await run.queue;
  let cancelled;
  try {
    ({ snapshot: run.snapshot, cancelled } = await replayRun("the run from the file", calls.loadFile, text));
  } catch (error) {
    renderAll();
    ui.paused = wasPaused; // a refused file changes nothing, a running demo included
    ui.pausedForLink = wasPausedForLink;
    renderPause(wasPaused);
    showNotice(`The file could not be used (${error.message}). The demo is as it was.`);
    return;
  } finally {
    status.textContent = ui.readyText;
  }
  forgetComparison();
  skipTracesSoFar(run.snapshot);
  showLesson(run.snapshot.lesson.id); // the run brings its own lesson and progress
  renderAll();
  if (cancelled) {
    showNotice("The file’s replay was cancelled. This is an empty run.");
    return;
  }
  const unchecked = run.snapshot.scenario_notice ? ` ${run.snapshot.scenario_notice}` : "";
  showNotice(`Replayed the run from the file. Press Resume to let time run on.${unchecked}`);
}
