export * from "./client";
export * from "./errors";
export * from "./pagination";
export * from "./redact";
export * from "./retry";
