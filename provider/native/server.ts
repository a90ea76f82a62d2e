// The native provider plugin's gRPC server: the engine's ResourceProvider protocol, answered by the same
// lifecycles the dynamic resources call. @pulumi/pulumi's own `provider.main()` ignores Configure (so an
// explicit provider's arguments would never arrive); this server implements the protocol with the stubs
// that ship in @pulumi/pulumi instead.
import * as path from "node:path";
import { ownerMarkOf, OWNER_INPUT } from "../ownership";
import { lifecycleFor } from "../index";
import type { PlainObject } from "../lifecycle";
import type { TokenLifecycle } from "../types";
import { type NativeKind, nativeKindOf, PACKAGE_NAME } from "./kinds";
import { packageSchema } from "./schema";
import { NATIVE_SETTINGS, stackConfigOf } from "./settings";

const SECRET_SETTINGS = NATIVE_SETTINGS.filter((setting) => setting.secret).map((setting) => setting.key);

/** Loads a module the way @pulumi/pulumi resolves it (its gRPC and protobuf runtime). */
function besidePulumi<T>(id: string): T {
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    return require(require.resolve(id, { paths: [pulumiDir] })) as T;
}

// biome-ignore lint/suspicious/noExplicitAny: generated protobuf stubs without usable types here
type Any = any;
const grpc = besidePulumi<Any>("@grpc/grpc-js");
const structproto = besidePulumi<Any>("google-protobuf/google/protobuf/struct_pb");
const emptyproto = besidePulumi<Any>("google-protobuf/google/protobuf/empty_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb") as Any;
const provproto = require("@pulumi/pulumi/proto/provider_pb") as Any;
const plugproto = require("@pulumi/pulumi/proto/plugin_pb") as Any;
const enginerpc = require("@pulumi/pulumi/proto/engine_grpc_pb") as Any;
const engineproto = require("@pulumi/pulumi/proto/engine_pb") as Any;

/** The engine's marker of a secret value inside a Struct (`{sig: SECRET, value}`). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function isSecret(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The plain values the lifecycles work with: secret markers removed (the lifecycles never log values). */
export function unwrapSecrets(value: unknown): unknown {
    if (isSecret(value)) {
        return unwrapSecrets(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** Marks the named top-level properties secret: they are then stored encrypted, whatever the language. */
export function wrapSecrets(props: PlainObject, names: readonly string[]): PlainObject {
    const out: PlainObject = {};
    for (const [key, value] of Object.entries(props)) {
        if (value === undefined) {
            continue;
        }
        out[key] = names.includes(key) && !isSecret(value) ? { [SIG_KEY]: SECRET_SIG, value } : value;
    }
    return out;
}

function secretNames(kind: NativeKind): string[] {
    return [
        ...kind.secretInputs,
        ...Object.entries(kind.outputs)
            .filter(([, spec]) => spec.secret)
            .map(([name]) => name),
    ];
}

/**
 * A resource's inputs as the lifecycles get them from the dynamic resources: plain values, with the ownership mark
 * of its URN in the hidden input the SDK classes fill in. Creates and in-place updates write the mark to the service
 * (e.g. into a Qovery git token's or a trigger's description), so both need it.
 */
export function ownedInputs(props: unknown, urn: string): PlainObject {
    return { ...(unwrapSecrets(props) as PlainObject), [OWNER_INPUT]: ownerMarkOf(urn) };
}

function typeOfUrn(urn: string): string {
    // urn:pulumi:stack::project::[parent$]type::name
    const qualified = urn.split("::")[2] ?? "";
    return qualified.split("$").pop() ?? "";
}

function struct(value: PlainObject): Any {
    return structproto.Struct.fromJavaScript(value);
}

function plain(message: Any): PlainObject {
    return (message ? message.toJavaScript() : {}) as PlainObject;
}

type Callback = (error: unknown, response?: unknown) => void;

/** One handler: runs `fn`, answers its result, or the error's message (already free of secrets). */
function handler(fn: (request: Any) => Promise<unknown>) {
    return (call: { request: Any }, callback: Callback) => {
        fn(call.request).then(
            (response) => callback(null, response),
            (error: unknown) =>
                callback({
                    code: grpc.status.UNKNOWN,
                    details: error instanceof Error ? error.message : String(error),
                }),
        );
    };
}

export class NativeProvider {
    /** The configuration of this provider instance, from Configure (or the plugin's environment). */
    private settings: Record<string, unknown>;

    /** The engine's logging service: the lifecycles' notes appear in `pulumi up` beside the resource. */
    private readonly engine: Any;

    constructor(
        readonly version: string,
        engineAddress: string | undefined,
        env: NodeJS.ProcessEnv = process.env,
    ) {
        this.settings = parseConfigEnv(env.PULUMI_CONFIG);
        this.engine = engineAddress
            ? new enginerpc.EngineClient(engineAddress, grpc.credentials.createInsecure())
            : undefined;
    }

    private resource(urn: string): { kind: NativeKind; lifecycle: TokenLifecycle } {
        const type = typeOfUrn(urn);
        const kind = nativeKindOf(type);
        if (!kind) {
            throw new Error(`${PACKAGE_NAME} has no resource type ${type}`);
        }
        return {
            kind,
            lifecycle: lifecycleFor(kind.kind, stackConfigOf(this.settings), (note) => this.log(urn, note)),
        };
    }

    /** A note about one resource, shown by the engine as a warning (they say what the user should know). */
    private log(urn: string, message: string): void {
        if (!this.engine) {
            console.error(message);
            return;
        }
        const request = new engineproto.LogRequest();
        request.setSeverity(engineproto.LogSeverity.WARNING);
        request.setMessage(message);
        request.setUrn(urn);
        this.engine.log(request, (error: unknown) => {
            if (error) {
                console.error(message);
            }
        });
    }

    /** The gRPC service implementation. */
    service(): Record<string, unknown> {
        return {
            getPluginInfo: handler(async () => {
                const info = new plugproto.PluginInfo();
                info.setVersion(this.version);
                return info;
            }),
            getSchema: handler(async () => {
                const response = new provproto.GetSchemaResponse();
                response.setSchema(JSON.stringify(packageSchema(this.version)));
                return response;
            }),
            checkConfig: handler(async (req) => {
                // What the engine stores for the provider: credentials marked secret (pulumi-yaml does so from the
                // schema already; programs in other languages or older hosts may not).
                const response = new provproto.CheckResponse();
                response.setInputs(struct(wrapSecrets(plain(req.getNews()), SECRET_SETTINGS)));
                return response;
            }),
            diffConfig: handler(async () => {
                const response = new provproto.DiffResponse();
                response.setChanges(provproto.DiffResponse.DiffChanges.DIFF_NONE);
                return response;
            }),
            configure: handler(async (req) => {
                const args = req.getArgs();
                if (args) {
                    this.settings = unwrapSecrets(plain(args)) as Record<string, unknown>;
                } else {
                    const prefix = `${PACKAGE_NAME}:config:`;
                    const variables: Record<string, unknown> = {};
                    for (const [key, value] of req.getVariablesMap().entries()) {
                        if (key.startsWith(prefix)) {
                            variables[key.slice(prefix.length)] = value;
                        }
                    }
                    this.settings = variables;
                }
                const response = new provproto.ConfigureResponse();
                response.setAcceptsecrets(true);
                response.setSupportspreview(false);
                return response;
            }),
            check: handler(async (req) => {
                const { kind, lifecycle } = this.resource(req.getUrn());
                const result = await lifecycle.check(
                    unwrapSecrets(plain(req.getOlds())) as PlainObject,
                    unwrapSecrets(plain(req.getNews())) as PlainObject,
                );
                const response = new provproto.CheckResponse();
                response.setInputs(struct(wrapSecrets((result.inputs ?? {}) as PlainObject, kind.secretInputs)));
                response.setFailuresList(
                    (result.failures ?? []).map((failure) => {
                        const message = new provproto.CheckFailure();
                        message.setProperty(failure.property);
                        message.setReason(failure.reason);
                        return message;
                    }),
                );
                return response;
            }),
            diff: handler(async (req) => {
                const { lifecycle } = this.resource(req.getUrn());
                const result = await lifecycle.diff(
                    req.getId(),
                    unwrapSecrets(plain(req.getOlds())) as PlainObject,
                    unwrapSecrets(plain(req.getNews())) as PlainObject,
                );
                const response = new provproto.DiffResponse();
                const changes = provproto.DiffResponse.DiffChanges;
                response.setChanges(
                    result.changes === true
                        ? changes.DIFF_SOME
                        : result.changes === false
                          ? changes.DIFF_NONE
                          : changes.DIFF_UNKNOWN,
                );
                response.setReplacesList(result.replaces ?? []);
                response.setStablesList(result.stables ?? []);
                response.setDeletebeforereplace(result.deleteBeforeReplace ?? false);
                return response;
            }),
            create: handler(async (req) => {
                const urn: string = req.getUrn();
                const { kind, lifecycle } = this.resource(urn);
                const result = await lifecycle.create(ownedInputs(plain(req.getProperties()), urn));
                const response = new provproto.CreateResponse();
                response.setId(result.id);
                response.setProperties(struct(wrapSecrets((result.outs ?? {}) as PlainObject, secretNames(kind))));
                return response;
            }),
            read: handler(async (req) => {
                const { kind, lifecycle } = this.resource(req.getUrn());
                const state = unwrapSecrets(plain(req.getProperties())) as PlainObject;
                if (Object.keys(state).length === 0) {
                    // `pulumi import` reads with no state at all.
                    const imported = await lifecycle.importToken(req.getId());
                    const response = new provproto.ReadResponse();
                    response.setId(imported.id);
                    response.setProperties(struct(wrapSecrets(imported.outs, secretNames(kind))));
                    response.setInputs(struct(wrapSecrets(imported.inputs, kind.secretInputs)));
                    return response;
                }
                const result = await lifecycle.read(req.getId(), state);
                const response = new provproto.ReadResponse();
                if (result.id === undefined) {
                    return response; // gone: the engine drops it from the state
                }
                response.setId(result.id);
                response.setProperties(struct(wrapSecrets((result.props ?? {}) as PlainObject, secretNames(kind))));
                const inputs = req.getInputs();
                if (inputs) {
                    response.setInputs(inputs);
                }
                return response;
            }),
            update: handler(async (req) => {
                const { kind, lifecycle } = this.resource(req.getUrn());
                const result = await lifecycle.update(
                    req.getId(),
                    unwrapSecrets(plain(req.getOlds())) as PlainObject,
                    ownedInputs(plain(req.getNews()), req.getUrn()),
                );
                const response = new provproto.UpdateResponse();
                response.setProperties(struct(wrapSecrets((result.outs ?? {}) as PlainObject, secretNames(kind))));
                return response;
            }),
            delete: handler(async (req) => {
                const { lifecycle } = this.resource(req.getUrn());
                await lifecycle.delete(req.getId(), unwrapSecrets(plain(req.getProperties())) as PlainObject);
                return new emptyproto.Empty();
            }),
            cancel: handler(async () => new emptyproto.Empty()),
            attach: handler(async () => new emptyproto.Empty()),
        };
    }
}

function parseConfigEnv(text: string | undefined): Record<string, unknown> {
    if (!text) {
        return {};
    }
    try {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        return Object.fromEntries(
            Object.entries(parsed).map(([key, value]) => [
                key.startsWith(`${PACKAGE_NAME}:`) ? key.slice(PACKAGE_NAME.length + 1) : key,
                value,
            ]),
        );
    } catch {
        return {};
    }
}

/**
 * Serves the provider on 127.0.0.1 and prints the port, the engine's handshake: nothing else may reach
 * stdout before it.
 */
export async function serve(version: string, engineAddress: string | undefined): Promise<void> {
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(provrpc.ResourceProviderService, new NativeProvider(version, engineAddress).service());
    const port = await new Promise<number>((resolve, reject) => {
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error: Error | null, p: number) =>
            error ? reject(error) : resolve(p),
        );
    });
    process.stdout.write(`${port}\n`);
}
