import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "../provider/kinds";

/** The installed package's root: the nearest folder above this file whose package.json names this package. */
function findPackageRoot(start: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        try {
            const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string };
            if (manifest.name === "pulumi-access-tokens") {
                return dir;
            }
        } catch {
            // No package.json here: keep climbing.
        }
        if (path.dirname(dir) === dir) {
            return path.resolve(start, "..", "..");
        }
    }
}

const PACKAGE_ROOT = findPackageRoot(__dirname);

/**
 * The dynamic provider object that Pulumi serializes into every resource's state. It is deliberately tiny
 * and holds no credential: each method loads the implementation of the installed package at call time
 * (by package name, else by the path it was installed at) and credentials are read from stack config
 * (`configure`) or the environment when a method runs.
 */
export function dynamicProviderFor(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
    const packageRoot = PACKAGE_ROOT;
    // Shared by the methods below once deserialized; filled by `configure` in the provider process.
    const holder: { config?: { get(key: string): string | undefined } } = {};
    const lifecycle = () => {
        let implementation: typeof import("../provider");
        try {
            implementation = require("pulumi-access-tokens/dist/provider");
        } catch (e: unknown) {
            if ((e as { code?: string }).code !== "MODULE_NOT_FOUND") {
                throw e;
            }
            implementation = require(`${packageRoot}/dist/provider`);
        }
        return implementation.lifecycleFor(kind, holder.config);
    };
    return {
        configure: async (req) => {
            holder.config = req.config;
        },
        check: (olds, news) => lifecycle().check(olds, news),
        create: (inputs) => lifecycle().create(inputs),
        read: (id, props) => lifecycle().read(id, props),
        diff: (id, olds, news) => lifecycle().diff(id, olds, news),
        update: (id, olds, news) => lifecycle().update(id, olds, news),
        delete: (id, props) => lifecycle().delete(id, props),
    };
}
