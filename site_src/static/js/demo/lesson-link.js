// Which lesson "Try this" shows: the Lesson radios choose it, and a link opens it by the id of
// its panel (#lesson-deploy), so the guide's "Try it in the demo" links are plain anchors. A
// link's value is only compared with the lessons on the page and shown as text, never as HTML.

const PREFIX = "#lesson-";
const MAX_SHOWN = 40; // a value quoted in a notice is cut short

/** Read a location hash: null if it is not about a lesson, else {id} or {unknown: value}. */
export function lessonFromHash(hash, ids) {
  if (!hash.startsWith(PREFIX)) return null;
  let value = hash.slice(PREFIX.length);
  try {
    value = decodeURIComponent(value);
  } catch {
    // A broken escape stays as it was typed; it matches no lesson.
  }
  return ids.includes(value) ? { id: value } : { unknown: value };
}

/** The notice for a link to a lesson the page does not have. */
export function unknownLessonNotice(value, labels) {
  const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
  const names = Object.values(labels).join(", ");
  return `The link asks for a lesson “${shown}”, which the demo does not have, so it shows the first one. The lessons are: ${names}.`;
}

/** The hash that opens a lesson: the first lesson is the demo itself. */
export function hashOf(id, first) {
  return id === first ? "#demo" : `${PREFIX}${id}`;
}
