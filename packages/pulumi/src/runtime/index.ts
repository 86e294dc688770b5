export * from "./alias";
export * from "./builtin";
export * from "./connections";
export * from "./group";
export * from "./mailbox";
export * from "./support";
export * from "./self-hosted";
