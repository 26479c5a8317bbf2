// Copy a Python package into Pyodide's file system as the site ships it: its .py files,
// without __pycache__ and without __main__.py (the command line never runs in the browser).
// Used by the build (prepare.mjs), the parity test and the Compare bench.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function copyPackage(pyodide, from, to) {
  pyodide.FS.mkdirTree(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory() && entry.name !== "__pycache__") {
      copyPackage(pyodide, source, `${to}/${entry.name}`);
    } else if (entry.isFile() && entry.name.endsWith(".py") && entry.name !== "__main__.py") {
      pyodide.FS.writeFile(`${to}/${entry.name}`, readFileSync(source));
    }
  }
}
