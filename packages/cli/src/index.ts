export * from "./audit";
export * from "./audit-accounts";
export * from "./audit-dns";
export * from "./findings";
export * from "./import";
export * from "./import-file";
export * from "./program";
export * from "./targets";
