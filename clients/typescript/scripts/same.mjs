// Fails when the committed generated types differ from a fresh generation (the contract changed:
// run `npm run generate`).
import { readFileSync, rmSync } from "node:fs";
const [committed, fresh] = process.argv.slice(2);
const same = readFileSync(committed, "utf8") === readFileSync(fresh, "utf8");
rmSync(fresh);
if (!same) {
  console.error(`${committed} is stale against schema/openapi.yaml: run \`npm run generate\` in clients/typescript`);
  process.exit(1);
}
console.log(`${committed} matches schema/openapi.yaml`);
