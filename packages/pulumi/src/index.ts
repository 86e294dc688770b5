export * from "./provider-binding";
