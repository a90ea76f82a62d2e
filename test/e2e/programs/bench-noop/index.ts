// The benchmarks' baseline: `count` (stack config) dynamic resources whose provider does nothing. Only
// `create` is defined, so check, diff, read (refresh) and delete take the dynamic provider's defaults.
import * as pulumi from "@pulumi/pulumi";

interface NoopArgs {
    name: pulumi.Input<string>;
}

const noopProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { name: string }) {
        return { id: inputs.name, outs: inputs };
    },
};

class Noop extends pulumi.dynamic.Resource {
    declare public readonly name: pulumi.Output<string>;

    constructor(name: string, args: NoopArgs) {
        super(noopProvider, name, { ...args }, undefined, "bench", "Noop");
    }
}

const count = new pulumi.Config().getNumber("count") ?? 0;
for (let i = 0; i < count; i++) {
    const name = `noop-${String(i).padStart(3, "0")}`;
    new Noop(name, { name });
}
