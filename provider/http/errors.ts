/** The four services this package talks to. */
export type ServiceName = "gitlab" | "gitea" | "codacy" | "qovery";

export const SERVICE_LABELS: Record<ServiceName, string> = {
    gitlab: "GitLab",
    gitea: "Gitea",
    codacy: "Codacy",
    qovery: "Qovery",
};

/**
 * Base class of every error this package throws. The stack is reduced to the message on purpose: the
 * Pulumi engine prints `${error}: ${error.stack}`, and our frames would only bury the actionable text.
 */
export class AccessTokensError extends Error {
    constructor(message: string) {
        super(message);
        this.name = new.target.name;
        this.stack = `${this.name}: ${message}`;
    }
}

/** Bad or missing settings: a credential, a base URL, a TLS option. Raised before any request. */
export class ConfigurationError extends AccessTokensError {}

/** Invalid resource inputs, found before any request. */
export class InputValidationError extends AccessTokensError {
    constructor(
        message: string,
        readonly failures: ReadonlyArray<{ property: string; reason: string }>,
    ) {
        super(message);
    }
}

export interface ApiErrorDetails {
    service: ServiceName;
    operation: string;
    method: string;
    path: string;
    /** HTTP status, absent when no response arrived (network error, timeout). */
    status?: number;
    /** What the service itself said, redacted. */
    serviceMessage?: string;
    /** What the user can do about it. */
    hint?: string;
    /** True when the request may have been carried out although no usable answer came back. */
    ambiguous?: boolean;
    /** Network-level cause (e.g. ECONNRESET, ETIMEDOUT), when there was no response. */
    cause?: string;
}

/** A request that failed: carries the service, the operation, the HTTP status and the service's own message. */
export class ApiError extends AccessTokensError {
    readonly service: ServiceName;
    readonly operation: string;
    readonly method: string;
    readonly path: string;
    readonly status: number | undefined;
    readonly serviceMessage: string | undefined;
    readonly hint: string | undefined;
    readonly ambiguous: boolean;
    readonly networkCause: string | undefined;

    constructor(details: ApiErrorDetails) {
        super(ApiError.format(details));
        this.service = details.service;
        this.operation = details.operation;
        this.method = details.method;
        this.path = details.path;
        this.status = details.status;
        this.serviceMessage = details.serviceMessage;
        this.hint = details.hint;
        this.ambiguous = details.ambiguous ?? false;
        this.networkCause = details.cause;
    }

    /**
     * This failure of a request whose answer was lost or unusable, told with what was then found or done about it
     * (`outcome`, e.g. "revoked 1 token(s) the lost requests created") and what to do now (`hint`).
     */
    withOutcome(outcome: string, hint: string): ApiError {
        const said = this.serviceMessage ?? (this.networkCause === undefined ? "no usable answer" : undefined);
        return new ApiError({
            service: this.service,
            operation: this.operation,
            method: this.method,
            path: this.path,
            ...(this.status !== undefined ? { status: this.status } : {}),
            ...(this.networkCause !== undefined ? { cause: this.networkCause } : {}),
            serviceMessage: said === undefined ? outcome : `${said}; ${outcome}`,
            hint,
        });
    }

    /** True for a 404: the thing asked about does not exist (or is hidden from the caller). */
    get isNotFound(): boolean {
        return this.status === 404;
    }

    private static format(d: ApiErrorDetails): string {
        const label = SERVICE_LABELS[d.service];
        const what = d.status !== undefined ? `HTTP ${d.status}` : (d.cause ?? "no response");
        const said = d.serviceMessage ? `: ${d.serviceMessage}` : "";
        const hint = d.hint ? ` ${d.hint}` : "";
        return `${label} ${d.operation} failed (${d.method} ${d.path}, ${what})${said}.${hint}`;
    }
}

/** The service answered, but with a body that does not match its documented schema. */
export class UnexpectedResponseError extends ApiError {}
