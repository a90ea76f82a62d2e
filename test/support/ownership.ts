import { OWNER_INPUT, ownerMarkOf } from "../../provider/ownership";

/** The hidden input the SDK classes give a resource of this name (its ownership mark), for lifecycle tests. */
export function ownedBy(name: string, stack = "test"): { [OWNER_INPUT]: string } {
    return { [OWNER_INPUT]: ownerMarkOf(`urn:pulumi:${stack}::tokens::pulumi-nodejs:dynamic:Resource::${name}`) };
}
