// Reads RIS or BibTeX from stdin with citation-js, as citation managers read them, and prints CSL-JSON.
// Usage: node tests/webui/read_citations.js ris|bibtex < file
const { Cite } = require("@citation-js/core");
require("@citation-js/plugin-ris");
require("@citation-js/plugin-bibtex");

const format = { ris: "@ris/file", bibtex: "@biblatex/text" }[process.argv[2]];
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const cite = new Cite(input, { forceType: format });
  process.stdout.write(JSON.stringify(cite.data));
});
