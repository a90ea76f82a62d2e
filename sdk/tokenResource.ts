import type * as pulumi from "@pulumi/pulumi";
import * as dynamic from "@pulumi/pulumi/dynamic";

/**
 * The name of @pulumi/pulumi's function that records a stack trace on every promise it makes while a resource is
 * registered (four per property: value, known, secret, dependencies), for its report of leaked promises.
 */
const PROMISE_TRACE_RECORDER = "debuggablePromise";

/**
 * The base of every token resource: a dynamic resource whose registration does not pay for source-mapped stack
 * traces nobody reads.
 *
 * @pulumi/pulumi reads `new Error().stack` for each of the four promises of each property. A TypeScript program
 * runs under ts-node, whose source-map-support maps every frame of every such stack back to TypeScript: with a
 * token's ~20 properties that was ~14 ms of the program's time per token, most of a no-change `up` at 1,000 tokens
 * (BENCHMARKS.md, item 6). While the resource registers, those traces are not formatted at all (the leak report
 * still names the resource and the property, from the promise's context); every other stack trace (the
 * resource's source position kept in the state, the error @pulumi/pulumi prepares for a failed registration, the
 * user's own) still goes through the program's formatter when it is read.
 */
export abstract class TokenResource extends dynamic.Resource {
    protected constructor(
        provider: dynamic.ResourceProvider,
        name: string,
        props: pulumi.Inputs,
        opts: pulumi.CustomResourceOptions | undefined,
        module: string,
        type: string,
    ) {
        const restore = skipPromiseTraces();
        try {
            super(provider, name, props, opts, module, type);
        } finally {
            restore();
        }
    }
}

/** What a promise's recorded trace holds while a token resource registers. */
const UNRECORDED_TRACE = "Error\n    (not recorded: the promise's context names the resource and the property)";

/**
 * Until the returned function is called, stack traces recorded by PROMISE_TRACE_RECORDER are UNRECORDED_TRACE
 * instead of going through the program's formatter (`Error.prepareStackTrace`, installed by source-map-support
 * under ts-node). A JavaScript program has no such formatter; Node's own is cheap, so nothing changes there.
 */
export function skipPromiseTraces(): () => void {
    const programFormatter = Error.prepareStackTrace;
    if (typeof programFormatter !== "function") {
        return () => {};
    }
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
        frames[0]?.getFunctionName() === PROMISE_TRACE_RECORDER ? UNRECORDED_TRACE : programFormatter(error, frames);
    return () => {
        Error.prepareStackTrace = programFormatter;
    };
}
