import { generateDkimKeyPair } from "@mailplane/providers";

/**
 * What the serialized providers of `PowerDnsRecords` (stacks created before the provider plugin)
 * load at call time through `@mailplane/pulumi/runtime`: a user's program depends on
 * `@mailplane/pulumi`, not on `@mailplane/providers`.
 */
export { generateDkimKeyPair, powerDnsRecordsProvider } from "@mailplane/providers";

type Props = Record<string, unknown>;

/**
 * The provider of `DkimKey`: a key pair generated once at create and kept in state (the private
 * key a secret output). A new selector replaces it (a new key); nothing else changes it, and
 * neither refresh nor delete touches anything outside state.
 */
export const dkimKeyProvider = {
  /** Validates the selector (what `selfHosted` checked already; here for a direct caller). */
  async check(_olds: Props, news: Props) {
    const failures =
      typeof news.selector === "string" && news.selector !== ""
        ? []
        : [
            {
              property: "selector",
              reason: `must be a DKIM selector, got ${String(news.selector)}`,
            },
          ];
    return { inputs: news, failures };
  },
  /** A different selector is a new key. */
  async diff(_id: string, olds: Props, news: Props) {
    const replace = olds.selector !== news.selector;
    return { changes: replace, replaces: replace ? ["selector"] : [], deleteBeforeReplace: false };
  },
  /** Generates the pair; its id is the selector. */
  async create(inputs: Props) {
    const pair = generateDkimKeyPair(inputs.selector as string);
    return {
      id: pair.selector,
      outs: {
        selector: pair.selector,
        publicKey: pair.publicKey,
        privateKeyPem: pair.privateKeyPem,
      },
    };
  },
  /** The key lives only in state: what state holds is what there is. */
  async read(id: string, props: Props) {
    return { id, props };
  },
  /** Nothing outside state to remove. */
  async delete() {},
};
