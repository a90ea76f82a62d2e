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
}

// The provider is serialized into the state: it must only capture built-in modules.
const fileProvider: pulumi.dynamic.ResourceProvider<FileState, FileState> = {
    async create(inputs) {
        const fs: typeof import("node:fs") = require("node:fs");
        fs.writeFileSync(inputs.path, inputs.content);
        return { id: inputs.path, outs: inputs };
    },
    async read(id) {
        const fs: typeof import("node:fs") = require("node:fs");
        if (!fs.existsSync(id)) {
            return {}; // gone: refresh drops it from the state
        }
        return { id, props: { path: id, content: fs.readFileSync(id, "utf8") } };
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
        return { outs: news };
    },
    async delete(id) {
        const fs: typeof import("node:fs") = require("node:fs");
        fs.rmSync(id, { force: true });
    },
};

class SmokeFile extends pulumi.dynamic.Resource {
    declare public readonly path: pulumi.Output<string>;
    declare public readonly content: pulumi.Output<string>;

    constructor(name: string, args: FileArgs, opts?: pulumi.CustomResourceOptions) {
        super(fileProvider, name, { ...args }, opts, "smoke", "File");
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
