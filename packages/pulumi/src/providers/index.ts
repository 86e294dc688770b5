export * from "./cloudflare-email-routing";
export * from "./migadu";
export * from "./self-hosted";
