/**
 * What the serialized providers of `DkimKey` and `PowerDnsRecords` load at call time through
 * `@mailplane/pulumi/runtime`: a user's program depends on `@mailplane/pulumi`, not on
 * `@mailplane/providers`.
 */
export { generateDkimKeyPair, powerDnsRecordsProvider } from "@mailplane/providers";
