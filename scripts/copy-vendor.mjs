// Copies the bpmn-js viewer that `npm ci` installed (pinned by package-lock.json) into
// webapp/static/vendor/, so the pages serve it from our own origin: never from a CDN.
// Run from the repository root: `npm ci && npm run vendor`.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "node_modules", "bpmn-js");
const target = join(root, "webapp", "static", "vendor");

// The navigated viewer needs only these; bpmn-font is used by the modeler's palette.
const files = {
  "dist/bpmn-navigated-viewer.production.min.js": "bpmn-navigated-viewer.production.min.js",
  "dist/assets/diagram-js.css": "diagram-js.css",
  "dist/assets/bpmn-js.css": "bpmn-js.css",
  "LICENSE": "bpmn-js.LICENSE.txt",
};

const { version } = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const [from, to] of Object.entries(files)) {
  copyFileSync(join(source, from), join(target, to));
}
console.log(`bpmn-js ${version} copied to webapp/static/vendor/`);
