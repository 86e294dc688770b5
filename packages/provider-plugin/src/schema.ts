/**
 * The `mailplane` package schema the plugin serves (`GetSchema`): what `pulumi import` uses to
 * print the program code of an adopted resource, and what SDK generators would read.
 */

type Property = { type: string; items?: { type: string }; description: string; secret?: boolean };

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

const { password: _password, ...MAILBOX_STATE } = MAILBOX_INPUTS;

/** The package schema for one plugin version. */
export function schema(version: string): object {
  return {
    name: "mailplane",
    displayName: "Mailplane",
    version,
    description: "Email as code: mailboxes at mail providers, managed by Pulumi.",
    license: "Apache-2.0",
    resources: {
      "mailplane:index:Mailbox": {
        description:
          "One mailbox at a mail provider. Its id is `<provider>/<domain>/<localPart>`. Removing it from code suspends it; it is never deleted silently.",
        inputProperties: MAILBOX_INPUTS,
        requiredInputs: ["mailProvider", "domain", "localPart", "name"],
        properties: {
          ...MAILBOX_STATE,
          address: str("The mailbox's address, `localPart@domain`."),
          twoFactorEnforced: bool("Whether the provider enforces two-step sign-in, when it says."),
          passwordHash: {
            ...str("sha256 fingerprint of address and initial password."),
            secret: true,
          },
        },
        required: ["mailProvider", "domain", "localPart", "name", "address", "suspended"],
      },
    },
  };
}
