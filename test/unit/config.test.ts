import { expect } from "chai";
import {
    apiUrlFor,
    type ConnectionSettings,
    EMPTY_CONFIG,
    envVarName,
    requireSetting,
    resolveSetting,
} from "../../provider/config";
import { ConfigurationError } from "../../provider/http";
import { CREDENTIALS, clientSettingsFor } from "../../provider/instance";

describe("configuration", () => {
    it("adds the API path when it is missing and keeps it when present", () => {
        expect(apiUrlFor("gitlab", "https://gitlab.example.com")).to.equal("https://gitlab.example.com/api/v4");
        expect(apiUrlFor("gitlab", "https://gitlab.example.com/api/v4/")).to.equal("https://gitlab.example.com/api/v4");
        expect(apiUrlFor("gitlab", "https://example.com/gitlab")).to.equal("https://example.com/gitlab/api/v4");
        expect(apiUrlFor("gitea", "https://git.example.com/api/v1")).to.equal("https://git.example.com/api/v1");
        expect(apiUrlFor("codacy", undefined)).to.equal("https://app.codacy.com/api/v3");
        expect(apiUrlFor("qovery", undefined)).to.equal("https://api.qovery.com");
    });

    it("refuses plain http to a non-loopback host unless opted in", () => {
        expect(() => apiUrlFor("gitlab", "http://gitlab.example.com")).to.throw(
            ConfigurationError,
            /allowInsecureHttp/,
        );
        expect(apiUrlFor("gitlab", "http://gitlab.example.com", true)).to.equal("http://gitlab.example.com/api/v4");
        expect(apiUrlFor("gitlab", "http://127.0.0.1:8080/gitlab")).to.equal("http://127.0.0.1:8080/gitlab/api/v4");
        expect(apiUrlFor("gitea", "http://localhost:3000")).to.equal("http://localhost:3000/api/v1");
    });

    it("rejects URLs that are not URLs, other schemes and embedded credentials", () => {
        expect(() => apiUrlFor("gitlab", "gitlab.example.com")).to.throw(/absolute URL/);
        expect(() => apiUrlFor("gitlab", "ftp://gitlab.example.com")).to.throw(/https/);
        expect(() => apiUrlFor("gitlab", "https://user:pw@gitlab.example.com")).to.throw(/credentials in the URL/);
        expect(() => apiUrlFor("gitea", undefined)).to.throw(/gitea:baseUrl.*GITEA_BASE_URL/);
    });

    it("resolves connection input, then stack config, then environment", () => {
        const config = { get: (key: string) => (key === "gitlab:token" ? "from-config" : undefined) };
        const env = { GITLAB_TOKEN: "from-env", GITLAB_BASE_URL: "https://env.example.com" };
        expect(resolveSetting("gitlab", "token", "from-input", config, env)).to.equal("from-input");
        expect(resolveSetting("gitlab", "token", undefined, config, env)).to.equal("from-config");
        expect(resolveSetting("gitlab", "baseUrl", undefined, config, env)).to.equal("https://env.example.com");
        expect(envVarName("qovery", "apiToken")).to.equal("QOVERY_API_TOKEN");
        expect(() => requireSetting("codacy", "apiToken", undefined, { get: () => undefined }, {})).to.throw(
            /codacy:apiToken.*CODACY_API_TOKEN/,
        );
    });

    it("gives every service's client its endpoint, HTTP overrides and the credentials CREDENTIALS names", () => {
        const config = {
            get: (key: string) =>
                ({ "gitea:baseUrl": "https://git.example.com", "gitea:password": "config-password" })[key],
        };
        const env = { GITEA_USERNAME: "env-user", GITEA_PASSWORD: "env-password", QOVERY_API_TOKEN: "env-qovery" };
        const ctx = { config, env, http: { timeoutMs: 1234 } };
        // connection first, then stack config, then the environment; an optional credential absent stays undefined.
        expect(clientSettingsFor("gitea", { username: "input-user" } as ConnectionSettings, ctx)).to.deep.equal({
            apiUrl: "https://git.example.com/api/v1",
            caCertificate: undefined,
            timeoutMs: 1234,
            username: "input-user",
            password: "config-password",
            otp: undefined,
        });
        expect(clientSettingsFor("gitea", undefined, { ...ctx, env: { ...env, GITEA_OTP: "123456" } }).otp).to.equal(
            "123456",
        );
        expect(clientSettingsFor("qovery", undefined, { config: EMPTY_CONFIG, env })).to.deep.equal({
            apiUrl: "https://api.qovery.com",
            caCertificate: undefined,
            apiToken: "env-qovery",
        });
        for (const service of ["gitlab", "gitea", "codacy", "qovery"] as const) {
            const missing = CREDENTIALS[service].required[0] ?? "";
            expect(() =>
                clientSettingsFor(service, { baseUrl: "https://x.example.com" }, { config: EMPTY_CONFIG, env: {} }),
            )
                .to.throw(ConfigurationError)
                .with.property("message")
                .that.includes(`${service}:${missing}`)
                .and.includes(envVarName(service, missing));
        }
    });
});
