/**
 * The `mailplane` package schema the plugin serves (`GetSchema`): what `pulumi import` uses to
 * print the program code of an adopted resource, what SDK generators would read, and where the
 * plugin finds each type's input fields for a field-level diff.
 */

type Property = {
  type: string;
  items?: { type: string } | { $ref: string };
  description: string;
  secret?: boolean;
};

const str = (description: string): Property => ({ type: "string", description });
const bool = (description: string): Property => ({ type: "boolean", description });
const strings = (description: string): Property => ({
  type: "array",
  items: { type: "string" },
  description,
});

/** Mailbox inputs, flat as the runtime's `mailboxInputsSchema` (its validation is the runtime's). */
const MAILBOX_INPUTS: Record<string, Property> = {
  mailProvider: str("The mail provider kind the runtime talks to, e.g. `migadu`."),
  apiUrl: str("The provider's API base URL (emulators, regional endpoints)."),
  domain: str("Lower-case punycode domain, e.g. `acme.com`."),
  localPart: str(
    "Lower-case RFC 5321 dot-atom. A change is an in-place rename where the provider can; otherwise refused at preview unless `allowRecreate` is set.",
  ),
  name: str("Display name."),
  department: str("Department, stored when the provider can."),
  title: str("Job title, stored when the provider can."),
  givenName: str("Given name, where the provider stores it apart."),
  familyName: str("Family name, where the provider stores it apart."),
  profile: str("The declaration's profile name, mapped by the binding."),
  quotaMb: { type: "integer", description: "Quota in MiB, 1–1048576." },
  suspended: bool("Login and sending blocked, mail kept."),
  changePasswordAtNextLogin: bool("Force a password change at next login, where the provider can."),
  require2fa: bool("Require two-factor authentication, where the provider can."),
  aliases: strings("Extra local parts on the same domain delivering to this mailbox."),
  forwardTo: strings("Full addresses this mailbox forwards to (offboarding)."),
  keepUntil: str("ISO date until which an offboarded mailbox is kept."),
  recoveryEmail: str("Where the provider sends its invitation when no password is given."),
  onDelete: str('What removing the mailbox from code does: "suspend" (default) or "delete".'),
  allowRecreate: bool("Allows a change the provider can only make with a new mailbox."),
  shared: bool("A shared mailbox."),
  members: strings("For a shared mailbox: the full addresses of the people who read it."),
  password: {
    ...str("Initial password; always secret, only a fingerprint is kept."),
    secret: true,
  },
};

const ACCOUNT_TARGET: Record<string, Property> = {
  mailProvider: MAILBOX_INPUTS.mailProvider!,
  apiUrl: MAILBOX_INPUTS.apiUrl!,
  domain: MAILBOX_INPUTS.domain!,
};
const address = str("The address, `localPart@domain`.");
const anyList = (description: string): Property => ({
  type: "array",
  items: { $ref: "pulumi.json#/Any" },
  description,
});

/** One resource of the schema: its inputs, and the outputs besides them. */
function resource(
  description: string,
  inputs: Record<string, Property>,
  required: string[],
  outputs: Record<string, Property> = {},
  requiredOutputs: string[] = [],
): object {
  const { password: _p, ...stateInputs } = inputs;
  return {
    description,
    inputProperties: inputs,
    requiredInputs: required,
    properties: { ...stateInputs, ...outputs },
    required: [...required, ...requiredOutputs],
  };
}

/** The package schema for one plugin version. */
export function schema(version: string): object {
  return {
    name: "mailplane",
    displayName: "Mailplane",
    version,
    description: "Email as code: mailboxes, aliases, groups and DNS records, managed by Pulumi.",
    license: "Apache-2.0",
    resources: {
      "mailplane:index:Mailbox": resource(
        "One mailbox at a mail provider. Its id is `<provider>/<domain>/<localPart>`. Removing it from code suspends it; it is never deleted silently.",
        MAILBOX_INPUTS,
        ["mailProvider", "domain", "localPart", "name"],
        {
          address: str("The mailbox's address, `localPart@domain`."),
          twoFactorEnforced: bool("Whether the provider enforces two-step sign-in, when it says."),
          passwordHash: {
            ...str("sha256 fingerprint of address and initial password."),
            secret: true,
          },
        },
        ["address", "suspended"],
      ),
      "mailplane:index:Alias": resource(
        "An address forwarding to destinations, without a mailbox. Its id is `<provider>/<domain>/<localPart>`. Removing it from code deletes it (it holds no mail).",
        {
          ...ACCOUNT_TARGET,
          localPart: str("Lower-case RFC 5321 dot-atom; a new one replaces the alias."),
          destinations: strings("Full destination addresses; order does not matter."),
          expires: str("ISO date after which the alias should no longer exist."),
        },
        ["mailProvider", "domain", "localPart", "destinations"],
        { address },
        ["address"],
      ),
      "mailplane:index:MailGroup": resource(
        "A distribution group: one address, many members. Its id is `<provider>/<domain>/<localPart>`. Removing it from code deletes it (it holds no mail).",
        {
          ...ACCOUNT_TARGET,
          localPart: str("Lower-case RFC 5321 dot-atom."),
          name: str("Display name."),
          members: strings("Full member addresses; order does not matter."),
          allowSenders: str('Who may send to it: "anyone", "organisation" or "members".'),
        },
        ["mailProvider", "domain", "localPart", "members"],
        { address },
        ["address"],
      ),
      "mailplane:index:CatchAll": resource(
        "Where a domain's mail to undeclared local parts goes. Its id is `<provider>/<domain>`.",
        { ...ACCOUNT_TARGET, destinations: strings("Full destination addresses.") },
        ["mailProvider", "domain", "destinations"],
        { address: str("The catch-all's pattern, `@domain`.") },
        ["address"],
      ),
      "mailplane:index:DomainAlias": resource(
        "A domain alias: mail to `x@aliasDomain` reaches what `x@domain` reaches. Its id is `<provider>/<domain>/<aliasDomain>`.",
        { ...ACCOUNT_TARGET, aliasDomain: str("The alias domain, lower-case punycode.") },
        ["mailProvider", "domain", "aliasDomain"],
      ),
      "mailplane:index:ZoneFile": resource(
        "An RFC 1035 zone file on the machine running Pulumi. Its id is the file's path; the SOA serial is assigned when the file is written.",
        {
          path: str("Absolute path of the file."),
          content: str("The whole file, with the template SOA serial."),
          onDelete: str(
            '"delete" removes the file when the resource is deleted; otherwise it is kept.',
          ),
        },
        ["path", "content"],
        { serial: { type: "integer", description: "The SOA serial written into the file." } },
      ),
      "mailplane:index:DkimKey": resource(
        "A DKIM key pair generated at create and kept in state. A new selector makes a new key.",
        { selector: str("The DKIM selector, e.g. `mail2026`.") },
        ["selector"],
        {
          publicKey: str("The public key, base64 (the `p=` of the TXT record)."),
          privateKeyPem: { ...str("The private key, PEM."), secret: true },
        },
        ["publicKey", "privateKeyPem"],
      ),
      "mailplane:index:PowerDnsRecords": resource(
        "The RRsets Mailplane owns in one PowerDNS zone. Its id is `<serverId>/<zone>`; RRsets it does not own are never touched.",
        {
          apiUrl: str("Base URL of the PowerDNS webserver."),
          serverId: str("The server id in the API path."),
          zone: str("The zone that holds the records."),
          rrsets: anyList("The RRsets, as the PowerDNS API takes them."),
        },
        ["apiUrl", "serverId", "zone", "rrsets"],
      ),
    },
  };
}
