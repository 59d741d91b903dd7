// Validates DOCX files with the Open XML SDK's validator (the .NET SDK built to WebAssembly,
// @ooxml-tools/validate, pinned in package-lock.json): every part's XML against the SDK's
// schemas for ECMA-376 / ISO/IEC 29500 transitional WordprocessingML (element order, declared
// attributes, value types) plus the Office extensions Word writes, and the SDK's semantic checks.
//
// Usage: node validate.mjs FILE.docx...   (run by shared/docx/tests/ooxml_schema.rs)
// Prints every error as `file part xpath: id: description` and exits 1 when any file has one, 2 on
// a usage or load error. Each file is checked twice: as Office 2007 reads it (ECMA-376 1st edition
// only: anything newer must be ignorable markup-compatibility content) and as Microsoft 365 does.
import { readFile } from "node:fs/promises";
import validate from "@ooxml-tools/validate";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.mjs FILE.docx...");
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  const bytes = new Uint8Array(await readFile(file));
  const seen = new Set();
  for (const version of ["Office2007", "Microsoft365"]) {
    for (const e of await validate(bytes, "docx", version)) {
      const line = `${file} ${e.path.partUri} ${e.path.xpath}: ${e.id}: ${e.description}`;
      if (!seen.has(line)) {
        seen.add(line);
        console.log(`${line} [${version}]`);
      }
    }
  }
  if (seen.size > 0) failed += 1;
  console.log(`${file}: ${seen.size} error(s)`);
}
process.exit(failed > 0 ? 1 : 0);
