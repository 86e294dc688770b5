export * from "./provider-binding";
export * as dns from "./dns/index";
export * from "./dns/backend";
export * from "./dns/cloudflare";
export * from "./dns/route53";
export * from "./dns/zone-file";
export * from "./sending/binding";
export * from "./sending/ses";
export * as providers from "./providers/index";
