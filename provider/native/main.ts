// Entry point of the plugin executable `pulumi-resource-accesstokens` (bin/): the engine starts it with its
// own address as argument and reads the port from the first line of stdout.
import * as fs from "node:fs";
import * as path from "node:path";
import { serve } from "./server";

// Lifecycle notes go to stdout in the dynamic provider; here stdout carries the handshake, so they go to stderr.
console.log = (...args: unknown[]) => console.error(...args);

function packageVersion(): string {
    const manifest = path.resolve(__dirname, "..", "..", "..", "package.json");
    return (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string }).version;
}

// The engine passes its own address as the first argument (flags, if any, come before it).
const engineAddress = process.argv.slice(2).find((arg) => !arg.startsWith("-"));

serve(packageVersion(), engineAddress).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
});
