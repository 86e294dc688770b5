export * from "./cloudflare-email-routing";
export * from "./migadu";
