import type { ProviderContext } from "../../provider/types";
import { type Sandbox, sandboxStackConfig, startSandbox } from "../sandbox";
import { contextWith } from "./context";

/** One sandbox for the enclosing `describe`, reset before each of its tests; call the result inside a test. */
export function sandboxPerSuite(): () => Sandbox {
    let sandbox: Sandbox | undefined;
    before(async () => {
        sandbox = await startSandbox();
    });
    after(async () => {
        await sandbox?.close();
    });
    beforeEach(() => sandbox?.reset());
    return () => {
        if (!sandbox) {
            throw new Error("the sandbox is not started yet");
        }
        return sandbox;
    };
}

/** A provider context with the sandbox's usual stack config (every service, the default credentials). */
export function sandboxContext(sandbox: Pick<Sandbox, "baseUrls">, log: string[] = []): ProviderContext {
    const config = Object.fromEntries(
        Object.entries(sandboxStackConfig(sandbox)).map(([key, entry]) => [key, entry.value]),
    );
    return contextWith(config, undefined, log);
}
