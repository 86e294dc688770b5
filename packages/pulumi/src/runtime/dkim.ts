/**
 * DKIM key generation for the `DkimKey` resource's serialized provider, which loads only
 * `@mailplane/pulumi/runtime` at call time: a user's program depends on `@mailplane/pulumi`,
 * not on `@mailplane/providers`.
 */
export { generateDkimKeyPair } from "@mailplane/providers";
