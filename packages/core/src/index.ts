export * from "./capabilities";
export * from "./dns-record";
