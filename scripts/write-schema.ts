// Writes the native provider's package schema (what the plugin answers GetSchema with) to the file named by the
// first argument, for the SDK generators (scripts/gen-sdks). The same sources always give the same bytes.
import * as fs from "node:fs";
import * as path from "node:path";
import { packageSchema } from "../provider/native/schema";

const target = process.argv[2];
if (!target) {
    console.error("usage: node dist/scripts/write-schema.js <schema.json>");
    process.exit(2);
}
const manifest = path.join(__dirname, "..", "..", "package.json");
const { version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string };
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, `${JSON.stringify(packageSchema(version), null, 2)}\n`);
