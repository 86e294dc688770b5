export * from "./adapter";
export * from "./errors";
