// Compiles the embed dialog's Docusaurus snippet as Docusaurus would (MDX 3, @mdx-js/mdx) and
// prints what React would receive: the iframe's props, and the `scripts` entry of
// docusaurus.config.js. Reads {"mdx": ..., "config": ...} as JSON on stdin.
// Usage: node tests/e2e/mdx_snippet.mjs < input.json
import { evaluate } from "@mdx-js/mdx";

const input = JSON.parse(await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => resolve(text));
}));

// A JSX runtime that records elements instead of rendering them.
const element = (type, props) => ({ type, props });
const { default: Content } = await evaluate(input.mdx, { jsx: element, jsxs: element, Fragment: "fragment" });

function find(node, type) {
  if (node === null || typeof node !== "object") return null;
  if (Array.isArray(node)) return node.map((child) => find(child, type)).find(Boolean) ?? null;
  if (node.type === type) return node;
  return find(node.props?.children, type);
}

const iframe = find(Content({}), "iframe");
if (!iframe) throw new Error("the MDX has no iframe");
const { children, ...props } = iframe.props;
// React refuses a string `style` ("The `style` prop expects a mapping from style properties
// to values, not a string"): the failure Docusaurus's build met with the HTML snippet.
if (typeof props.style === "string") throw new Error(`style is a string: ${props.style}`);
const config = new Function(`return ({\n${input.config}\n});`)();
console.log(JSON.stringify({ iframe: props, scripts: config.scripts }));
