#!/usr/bin/env node
// Makes `require("pulumi-access-tokens")` resolve inside this repository (examples, the root Pulumi program,
// the demo) by linking node_modules/pulumi-access-tokens to the repository root, as `npm link` would.
// `npm run build` runs it (and so test, demo, bench and sandbox do), not an install script: the package
// ships no install script, so installing it never asks its users to approve one.
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-access-tokens");
fs.mkdirSync(path.dirname(link), { recursive: true });
try {
    if (fs.readlinkSync(link) === "..") {
        process.exit(0);
    }
    fs.rmSync(link, { recursive: true, force: true });
} catch {
    // Not a link yet.
}
fs.symlinkSync("..", link, "dir");
