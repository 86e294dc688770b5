/**
 * Every Mailplane resource class as the program registers it under Pulumi mocks: a custom
 * resource of the `mailplane` provider plugin (`mailplane:index:*`) with no serialized provider
 * (`__provider`) among its inputs, aliased to the dynamic type it had before the plugin (so a
 * stack created then upgrades in place; the engine side is test/engine/upgrade.test.ts), keeping
 * the caller's aliases and secret outputs next to its own.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Alias, CatchAll, DomainAlias, MailGroup, Mailbox, ZoneFile } from "../src/index";
import { PowerDnsRecords } from "../src/dns/powerdns";
import { DkimKey } from "../src/providers/self-hosted";
import { captureRegisterRequests, valueOf, type RegisterRequest } from "./dns-mocks";

let captured: RegisterRequest[] = [];

beforeAll(async () => {
  captured = await captureRegisterRequests();
});

const conn = { mailProvider: "selfHosted", apiUrl: "sqlite:///srv/mail.sqlite", domain: "a.test" };
/** Options a caller gives: an alias of its own and a secret output of its own. */
const opts = (): pulumi.CustomResourceOptions => ({
  aliases: [{ name: "old-name" }],
  additionalSecretOutputs: ["mine"],
});

describe("plugin resources (mocks)", () => {
  it("registers each class as mailplane:index:<Class>, aliased to its old dynamic type, with no __provider", async () => {
    const resources: pulumi.Resource[] = [
      new Mailbox("r-mailbox", { ...conn, localPart: "ali", name: "Ali" }, opts()),
      new Alias("r-alias", { ...conn, localPart: "hr", destinations: ["ali@a.test"] }, opts()),
      new MailGroup(
        "r-group",
        { ...conn, localPart: "team", name: "Team", members: ["ali@a.test"] },
        opts(),
      ),
      new CatchAll("r-catch-all", { ...conn, destinations: ["ali@a.test"] }, opts()),
      new DomainAlias("r-domain-alias", { ...conn, aliasDomain: "a.example" }, opts()),
      new ZoneFile("r-zone-file", { path: "/tmp/a.test.zone", content: "x" }, opts()),
      new DkimKey("r-dkim", { selector: "s1" }, opts()),
      new PowerDnsRecords(
        "r-powerdns",
        { apiUrl: "http://127.0.0.1:8081", serverId: "localhost", zone: "a.test", rrsets: [] },
        opts(),
      ),
    ];
    await Promise.all(resources.map((r) => valueOf(r.urn)));
    // In declaration order (registrations complete in any order).
    const names = ["r-mailbox", "r-alias", "r-group", "r-catch-all", "r-domain-alias"];
    names.push("r-zone-file", "r-dkim", "r-powerdns");
    expect(captured.filter((c) => c.name.startsWith("r-")).length).toBe(names.length);
    const rows = names
      .map((n) => captured.find((c) => c.name === n)!)
      .map((c) => [
        c.name,
        c.type,
        c.custom,
        c.aliases,
        c.aliasTypes,
        c.additionalSecretOutputs,
        Object.keys(c.inputs).sort().join(" "),
      ]);
    expect(rows).toEqual([
      [
        "r-mailbox",
        "mailplane:index:Mailbox",
        true,
        ["old-name", ""],
        ["", "pulumi-nodejs:dynamic/mailplane:Mailbox"],
        ["mine", "passwordHash"],
        "aliases allowRecreate apiUrl changePasswordAtNextLogin domain forwardTo localPart mailProvider name onDelete require2fa shared suspended",
      ],
      [
        "r-alias",
        "mailplane:index:Alias",
        true,
        ["old-name", ""],
        ["", "pulumi-nodejs:dynamic/mailplane:Alias"],
        ["mine"],
        "apiUrl destinations domain localPart mailProvider",
      ],
      [
        "r-group",
        "mailplane:index:MailGroup",
        true,
        ["old-name", ""],
        ["", "pulumi-nodejs:dynamic/mailplane:MailGroup"],
        ["mine"],
        "apiUrl domain localPart mailProvider members name",
      ],
      [
        "r-catch-all",
        "mailplane:index:CatchAll",
        true,
        ["old-name", ""],
        ["", "pulumi-nodejs:dynamic/mailplane:CatchAll"],
        ["mine"],
        "apiUrl destinations domain mailProvider",
      ],
      [
        "r-domain-alias",
        "mailplane:index:DomainAlias",
        true,
        ["old-name", ""],
        ["", "pulumi-nodejs:dynamic/mailplane:DomainAlias"],
        ["mine"],
        "aliasDomain apiUrl domain mailProvider",
      ],
      [
        "r-zone-file",
        "mailplane:index:ZoneFile",
        true,
        ["old-name", ""],
        ["", "pulumi-nodejs:dynamic/ZoneFile:Resource"],
        ["mine"],
        "content path",
      ],
      [
        "r-dkim",
        "mailplane:index:DkimKey",
        true,
        ["old-name", ""],
        ["", "pulumi-nodejs:dynamic/mailplane:DkimKey"],
        ["mine", "privateKeyPem"],
        "selector",
      ],
      [
        "r-powerdns",
        "mailplane:index:PowerDnsRecords",
        true,
        ["old-name", ""],
        ["", "pulumi-nodejs:dynamic/mailplane:PowerDnsRecords"],
        ["mine"],
        "apiUrl rrsets serverId zone",
      ],
    ]);
  });

  it("without caller options: only the alias to the old type, and only the class's secret outputs", async () => {
    const mb = new Mailbox("bare-mailbox", { ...conn, localPart: "bo", name: "Bo" });
    const zf = new ZoneFile("bare-zone-file", { path: "/tmp/b.test.zone", content: "x" });
    await Promise.all([valueOf(mb.urn), valueOf(zf.urn)]);
    expect(
      ["bare-mailbox", "bare-zone-file"]
        .map((n) => captured.find((c) => c.name === n)!)
        .map((c) => [c.name, c.aliases, c.aliasTypes, c.additionalSecretOutputs]),
    ).toEqual([
      ["bare-mailbox", [""], ["pulumi-nodejs:dynamic/mailplane:Mailbox"], ["passwordHash"]],
      ["bare-zone-file", [""], ["pulumi-nodejs:dynamic/ZoneFile:Resource"], []],
    ]);
  });
});
