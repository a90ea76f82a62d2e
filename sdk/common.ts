import * as pulumi from "@pulumi/pulumi";
import { OWNER_INPUT, ownerMarkOf } from "../provider/ownership";

/** Settings shared by every service's `connection` input. */
export interface ConnectionArgs {
    /**
     * Base URL of the instance, with or without its API path (`https://gitlab.example.com` or
     * `https://gitlab.example.com/api/v4`). Changing it replaces the token (it is another instance).
     */
    baseUrl?: pulumi.Input<string>;
    /** PEM bundle of extra certificate authorities to trust, for self-hosted instances with a private CA. */
    caCertificate?: pulumi.Input<string>;
    /** Allow plain `http://` to a host other than loopback. Off by default: credentials would travel in clear. */
    allowInsecureHttp?: pulumi.Input<boolean>;
}

/** When and how a token is renewed before it lapses. */
export interface RotationArgs {
    /** Lifetime of each new token, in days. GitLab: sent as `expires_at`; elsewhere a renewal date kept in state. */
    expiresInDays?: pulumi.Input<number>;
    /** Renew when the token expires within this many days (default: a tenth of `expiresInDays`, at least 1). */
    rotateBeforeDays?: pulumi.Input<number>;
    /**
     * `overlap` (default): create the new token, update every consumer in the same `up`, then revoke the old one.
     * `rotate` (GitLab only): rotate in place through GitLab's rotate API; the old value stops working at once.
     */
    strategy?: pulumi.Input<"overlap" | "rotate">;
}

/** Merges the outputs that must be stored encrypted into the user's resource options. */
export function withSecretOutputs(
    opts: pulumi.CustomResourceOptions | undefined,
    secrets: string[],
): pulumi.CustomResourceOptions {
    return {
        ...opts,
        additionalSecretOutputs: [...new Set([...(opts?.additionalSecretOutputs ?? []), ...secrets])],
    };
}

/** Wraps an optional input as a secret so it is stored encrypted (credentials, git tokens). */
export function secretInput<T>(value: pulumi.Input<T> | undefined): pulumi.Output<pulumi.Unwrap<T>> | undefined {
    return value === undefined ? undefined : pulumi.secret(value);
}

/**
 * The hidden input that ties the token on the service to this resource: the ownership mark of its URN (see
 * provider/ownership.ts). With it the provider finds what an interrupted run left behind, and never mistakes
 * another stack's token of the same name for its own.
 */
export function ownerInput(
    name: string,
    module: string,
    type: string,
    opts: pulumi.CustomResourceOptions | undefined,
): Record<string, pulumi.Input<string>> {
    const urn = pulumi.createUrn(name, `pulumi-nodejs:dynamic/${module}:${type}`, opts?.parent);
    return { [OWNER_INPUT]: urn.apply(ownerMarkOf) };
}
