export * from "./account-plan";
export * from "./capabilities";
export * from "./dns-facts";
export * from "./dns-record";
export * from "./policy";
export * from "./txt";
export * from "./spf";
export * from "./dmarc";
