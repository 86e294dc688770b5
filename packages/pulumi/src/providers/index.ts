export * from "./cloudflare-email-routing";
