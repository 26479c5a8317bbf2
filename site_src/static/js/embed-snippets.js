// The code a documentation page pastes to embed the demo, for each tool it may be written in:
// the one place the snippets' text is made. The "Embed this demo" dialog shows it; the tests
// read it from the dialog and build it with each tool (tests/e2e/test_embed_snippets.py).

const FRAME_TITLE = "Stateless or stateful? The Chaos Monkey demo";
const FRAME_HEIGHT = 720;

/** The tools, in the dialog's order, with the names it shows. */
export const TOOLS = { html: "HTML", mkdocs: "MkDocs", sphinx: "Sphinx", docusaurus: "Docusaurus" };

// Escaped for a double-quoted attribute, in HTML and in JSX alike.
function quoted(text) {
  return `"${text.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;")}"`;
}

// embed.js removes the frame's border itself (through the CSSOM, which a strict style policy
// allows), so the frame has no style attribute; in JSX it would have to be an object.
function iframe(pageURL, close) {
  return (
    `<iframe src=${quoted(pageURL)} title=${quoted(FRAME_TITLE)} loading="lazy" ` +
    `width="100%" height="${FRAME_HEIGHT}" allow="clipboard-write"${close}`
  );
}

function script(scriptURL) {
  return `<script src=${quoted(scriptURL)} async></script>`;
}

/**
 * The snippet for `tool`, from the embed page's and the script's absolute URLs:
 * {page, hint, config, configFile}: the code for the page, what to do with it, and the code
 * for the site's configuration file (null for tools that need none).
 */
export function snippetFor(tool, { pageURL, scriptURL }) {
  const frame = iframe(pageURL, "></iframe>");
  switch (tool) {
    case "html":
      return {
        page: `${frame}\n${script(scriptURL)}`,
        hint: "Paste both lines into the page. The script sizes the frame to the demo and gives it the page’s light or dark theme.",
        config: null,
        configFile: null,
      };
    case "mkdocs":
      return {
        page: frame,
        hint: "Paste the frame into the page’s Markdown, with a blank line before and after, and list the script in mkdocs.yml (MkDocs 1.5 or later), which loads it on every page, Material’s instant navigation included.",
        config: `extra_javascript:\n  - path: ${JSON.stringify(scriptURL)}\n    async: true`,
        configFile: "mkdocs.yml",
      };
    case "sphinx":
      return {
        page: `.. raw:: html\n\n   ${frame}\n   ${script(scriptURL)}`,
        hint: "Paste the raw directive into the page’s reStructuredText, with a blank line before and after; keep its lines indented.",
        config: null,
        configFile: null,
      };
    case "docusaurus":
      return {
        page: iframe(pageURL, " />"),
        hint: "Write the frame in the page’s MDX, and load the script from docusaurus.config.js: a script written in a page does not run when a reader arrives by one of the site’s own links.",
        config: `// in the object docusaurus.config.js exports\nscripts: [{ src: ${JSON.stringify(scriptURL)}, async: true }],`,
        configFile: "docusaurus.config.js",
      };
    default:
      throw new Error(`No snippet for ${tool}`);
  }
}
