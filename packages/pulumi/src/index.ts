export * from "./provider-binding";
export * as dns from "./dns/index";
export * from "./dns/backend";
export * from "./dns/cloudflare";
export * from "./dns/route53";
export * from "./dns/zone-file";
export * from "./sending/binding";
export * from "./sending/ses";
export {
  providers,
  bindingOf,
  deriveBindings,
  genericBinding,
  parseBinding,
} from "./providers/index";
export type {
  BindingArgs,
  InputArgs,
  MailProviderBindings,
  SelfHostedArgs,
  SelfHostedBinding,
  SelfHostedOptions,
  SelfHostedSigner,
  SelfHostedSignerOptions,
  CloudflareEmailRoutingArgs,
} from "./providers/index";
export * from "./accounts/alias";
export * from "./accounts/catch-all";
export * from "./accounts/create-accounts";
export * from "./accounts/domain-alias";
export * from "./accounts/mail-group";
export * from "./accounts/mailbox";
export * from "./mail-dns-records";
export * from "./mail-domain";
export * from "./mta-sts-worker";
