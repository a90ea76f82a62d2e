// One dynamic resource (a file on disk) and one @pulumi/random resource: enough to prove the
// engine, the Node.js language host, the dynamic-provider launcher and the random plugin work
// together. The file's directory comes from the stack config `engine-smoke:dir`.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

interface FileArgs {
    path: pulumi.Input<string>;
    content: pulumi.Input<string>;
}

interface FileState {
    path: string;
    content: string;
    /** The Node and @pulumi/pulumi versions the dynamic provider ran on (scripts/prove-platform checks them). */
    providerRuntime?: { node: string; pulumiSdk: string };
}

// The provider is serialized into the state: it must only capture built-in modules.
const fileProvider: pulumi.dynamic.ResourceProvider<FileState, FileState> = {
    async create(inputs) {
        const fs: typeof import("node:fs") = require("node:fs");
        fs.writeFileSync(inputs.path, inputs.content);
        const providerRuntime = { node: process.version, pulumiSdk: require("@pulumi/pulumi/package.json").version };
        return { id: inputs.path, outs: { ...inputs, providerRuntime } };
    },
    async read(id) {
        const fs: typeof import("node:fs") = require("node:fs");
        if (!fs.existsSync(id)) {
            return {}; // gone: refresh drops it from the state
        }
        const providerRuntime = { node: process.version, pulumiSdk: require("@pulumi/pulumi/package.json").version };
        return { id, props: { path: id, content: fs.readFileSync(id, "utf8"), providerRuntime } };
    },
    async diff(_id, olds, news) {
        return {
            changes: olds.path !== news.path || olds.content !== news.content,
            replaces: olds.path !== news.path ? ["path"] : [],
        };
    },
    async update(_id, _olds, news) {
        const fs: typeof import("node:fs") = require("node:fs");
        fs.writeFileSync(news.path, news.content);
        const providerRuntime = { node: process.version, pulumiSdk: require("@pulumi/pulumi/package.json").version };
        return { outs: { ...news, providerRuntime } };
    },
    async delete(id) {
        const fs: typeof import("node:fs") = require("node:fs");
        fs.rmSync(id, { force: true });
    },
};

class SmokeFile extends pulumi.dynamic.Resource {
    declare public readonly path: pulumi.Output<string>;
    declare public readonly content: pulumi.Output<string>;
    declare public readonly providerRuntime: pulumi.Output<{ node: string; pulumiSdk: string }>;

    constructor(name: string, args: FileArgs, opts?: pulumi.CustomResourceOptions) {
        super(fileProvider, name, { ...args, providerRuntime: undefined }, opts, "smoke", "File");
    }
}

const config = new pulumi.Config();
const dir = config.require("dir");
if (config.getBoolean("fail")) {
    // Lets the test check that a program error fails the operation with its message.
    throw new Error("engine-smoke: failing on request");
}

const suffix = new random.RandomString("suffix", { length: 8, special: false, upper: false });
const file = new SmokeFile("file", {
    path: `${dir}/engine-smoke.txt`,
    content: pulumi.interpolate`hello from ${suffix.result}\n`,
});

export const filePath = file.path;
export const content = file.content;
export const suffixResult = suffix.result;
// What the program and the dynamic provider ran on (engine.test.ts and scripts/prove-platform check them).
export const programRuntime = { node: process.version, pulumiSdk: require("@pulumi/pulumi/package.json").version };
export const providerRuntime = file.providerRuntime;
