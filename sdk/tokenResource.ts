import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import * as dynamic from "@pulumi/pulumi/dynamic";

/**
 * The name of @pulumi/pulumi's function that records a stack trace on every promise it makes while a resource is
 * registered (four per property: value, known, secret, dependencies), for its report of leaked promises.
 */
const PROMISE_TRACE_RECORDER = "debuggablePromise";

/**
 * Whether @pulumi/pulumi is reading the stack trace a resource keeps in the state: its `sourcePosition` (the first
 * frame after @pulumi/pulumi's own constructors) and, in recent versions, its `stackTrace`. Versions since the stack
 * trace was added read it in `Resource.callsites`; older ones (the lowest of the peer range) capture it from
 * `Resource.sourcePosition`, so that the trace starts at the `Resource` constructor.
 */
function readsRegistrationTrace(frames: NodeJS.CallSite[]): boolean {
    const top = frames[0];
    return (
        top?.getFunctionName() === "callsites" ||
        (top?.isConstructor() === true && top.getFunctionName() === "Resource")
    );
}

/** This package's SDK classes live here (`dist/sdk`, or `sdk` when run from TypeScript sources). */
const SDK_DIR = __dirname;

/**
 * The base of every token resource: a dynamic resource whose registration does not pay for source-mapped stack
 * traces nobody reads, and whose recorded position is the user's line, not this package's.
 *
 * @pulumi/pulumi reads `new Error().stack` for each of the four promises of each property. A TypeScript program
 * runs under ts-node, whose source-map-support maps every frame of every such stack back to TypeScript: with a
 * token's ~20 properties that was ~14 ms of the program's time per token, most of a no-change `up` at 1,000 tokens
 * (BENCHMARKS.md, item 6). While the resource registers, those traces are not formatted at all (the leak report
 * still names the resource and the property, from the promise's context).
 *
 * The trace kept in the state holds the program's frames only: not this package's (this class and the kind's class),
 * with which each token's `sourcePosition` named `tokenResource.ts` instead of the line of the program that declared
 * the token, and not the runtime's that run every program (ts-node, @pulumi/pulumi's program runner, Node's own),
 * which say nothing of the token. Those frames made up a quarter of a token's entry in the state, which the engine
 * rewrites at every step (BENCHMARKS.md, item 6).
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
        const restore = registrationTraces();
        try {
            super(provider, name, props, opts, module, type);
        } finally {
            restore();
        }
    }
}

/** What a promise's recorded trace holds while a token resource registers. */
const UNRECORDED_TRACE = "Error\n    (not recorded: the promise's context names the resource and the property)";

type TraceFormatter = (error: Error, frames: NodeJS.CallSite[]) => string;

/** V8's own format, used when the program installed none (a JavaScript program without source maps). */
const v8Format: TraceFormatter = (error, frames) =>
    `${Error.prototype.toString.call(error)}${frames.map((frame) => `\n    at ${frame}`).join("")}`;

/**
 * Until the returned function is called, stack traces are formatted for a token's registration:
 * - those recorded by PROMISE_TRACE_RECORDER are UNRECORDED_TRACE instead of going through the program's formatter
 *   (`Error.prepareStackTrace`, installed by source-map-support under ts-node);
 * - the one @pulumi/pulumi keeps in the state (see readsRegistrationTrace) holds the program's frames (programFrames);
 * - every other trace (the error @pulumi/pulumi prepares for a failed registration, the user's own) is formatted
 *   as before, by the program's formatter or V8's format.
 */
export function registrationTraces(): () => void {
    const programFormatter = Error.prepareStackTrace;
    const format: TraceFormatter = typeof programFormatter === "function" ? programFormatter : v8Format;
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
        if (frames[0]?.getFunctionName() === PROMISE_TRACE_RECORDER) {
            // A JavaScript program has no costly formatter: its promise traces stay as they were.
            return typeof programFormatter === "function" ? UNRECORDED_TRACE : format(error, frames);
        }
        if (readsRegistrationTrace(frames)) {
            return format(error, programFrames(frames));
        }
        return format(error, frames);
    };
    return () => {
        Error.prepareStackTrace = programFormatter;
    };
}

/**
 * The registration trace without the frames that are not the program's. Above this package's first frame the trace
 * stays as it is: @pulumi/pulumi skips a fixed number of its own frames there to find the position. Below it come
 * the program's frames, kept without this package's SDK frames and the runtime's (isRuntimeFrame). Frames of other
 * packages stay: a library of the user's that declares tokens is where they were declared. A trace with nothing of
 * the program's left below keeps all but the SDK frames.
 */
export function programFrames(frames: NodeJS.CallSite[]): NodeJS.CallSite[] {
    const sdkAt = frames.findIndex(isSdkFrame);
    if (sdkAt < 0) {
        return frames;
    }
    const caller = frames.slice(sdkAt).filter((frame) => !isSdkFrame(frame));
    const program = caller.filter((frame) => !isRuntimeFrame(frame));
    return [...frames.slice(0, sdkAt), ...(program.length > 0 ? program : caller)];
}

/** Where @pulumi/pulumi and ts-node run a program from (any copy of them, compiled or as sources). */
const RUNTIME_PACKAGE = /[\\/]node_modules[\\/](@pulumi[\\/]pulumi|ts-node)[\\/]/;

/** ts-node, @pulumi/pulumi (its program runner below the program, its `apply` below a callback) and Node's own. */
function isRuntimeFrame(frame: NodeJS.CallSite): boolean {
    const file = frame.getFileName();
    return !file || file.startsWith("node:") || !path.isAbsolute(file) || RUNTIME_PACKAGE.test(file);
}

function isSdkFrame(frame: NodeJS.CallSite): boolean {
    const file = frame.getFileName();
    return file !== undefined && file !== null && path.dirname(file) === SDK_DIR;
}
