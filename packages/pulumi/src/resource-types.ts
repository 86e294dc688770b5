import type * as pulumi from "@pulumi/pulumi";

/**
 * The custom resource types the `mailplane` provider plugin serves, by class name: the type token
 * the engine sees, and the dynamic-resource type token the same class registered before the
 * plugin existed (a Pulumi alias, so a stack created then upgrades in place: the engine finds the
 * old state under that type and asks the plugin to diff it; see PLUGIN.md, "Upgrading").
 */
export const RESOURCE_TYPES = {
  Mailbox: "pulumi-nodejs:dynamic/mailplane:Mailbox",
  Alias: "pulumi-nodejs:dynamic/mailplane:Alias",
  MailGroup: "pulumi-nodejs:dynamic/mailplane:MailGroup",
  CatchAll: "pulumi-nodejs:dynamic/mailplane:CatchAll",
  DomainAlias: "pulumi-nodejs:dynamic/mailplane:DomainAlias",
  ZoneFile: "pulumi-nodejs:dynamic/ZoneFile:Resource",
  DkimKey: "pulumi-nodejs:dynamic/mailplane:DkimKey",
  PowerDnsRecords: "pulumi-nodejs:dynamic/mailplane:PowerDnsRecords",
} as const;

/** A class name of {@link RESOURCE_TYPES}. */
export type ResourceKind = keyof typeof RESOURCE_TYPES;

/** The plugin's type token of a resource class, e.g. `mailplane:index:Mailbox`. */
export function typeToken(kind: ResourceKind): string {
  return `mailplane:index:${kind}`;
}

/**
 * A plugin resource's options: the caller's, plus the alias to the dynamic type the class had
 * before, so an existing stack's resource is the same resource (never a create and a delete).
 */
export function pluginResourceOptions(
  kind: ResourceKind,
  opts: pulumi.CustomResourceOptions | undefined,
  additionalSecretOutputs: readonly string[] = [],
): pulumi.CustomResourceOptions {
  return {
    ...opts,
    aliases: [...(opts?.aliases ?? []), { type: RESOURCE_TYPES[kind] }],
    ...(additionalSecretOutputs.length === 0
      ? {}
      : {
          additionalSecretOutputs: [
            ...(opts?.additionalSecretOutputs ?? []),
            ...additionalSecretOutputs,
          ],
        }),
  };
}
