// Bundles the designer's modeler page (webapp/assets/designer.js: bpmn-js, the properties
// panel, bpmnlint and ipflow's side panel) into webapp/static/vendor/designer.bundle.js and
// designer.bundle.css, from the packages `npm ci` installed (pinned by package-lock.json).
// Run from the repository root after `npm run vendor` (which empties the vendor folder).
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

await build({
  entryPoints: [join(root, "webapp", "assets", "designer.js")],
  outfile: join(root, "webapp", "static", "vendor", "designer.bundle.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "linked",
  // bpmn-js's icon font is copied beside the bundle (fonts/), served from our own origin.
  loader: { ".json": "json", ".eot": "file", ".svg": "file", ".woff": "file",
            ".woff2": "file", ".ttf": "file" },
  assetNames: "fonts/[name]-[hash]",
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});
console.log("designer bundle built in webapp/static/vendor/");
