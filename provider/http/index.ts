export * from "./client";
export * from "./errors";
export * from "./limiter";
export * from "./pagination";
export * from "./redact";
export * from "./retry";
