import type { DnsRecord } from "@mailplane/core";

/** A real 2048-bit RSA public key (SPKI, base64), 392 characters. */
export const DKIM_KEY =
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzpi01GPJ6fRwVDl8BbCW3YdsHcFrJGZzFzpqEnBtCeh2XoxeK2tBaBKxbKaBxOSA1jJPacORKKQdjk+CwSWGNqV+qSdiUQJDhna4WOIMCLRNU4jHTD5nevfG8b0GtviNoMHNG3tIAlmzOuTtCw55py3m/awW5zzORvbUCcDCzxse98/MIRkObzyPTqVejH7zPUrybKfuXqMKhxRPcvTbUTJRaXlfOZRFK6QSUQE5NL7x4ib9NBvlyVNFhsF6jtWPnbeIRsj0nWLBsJQQc1f2En7EvrRkWYvwj2iJRjkfm1eTy/00kZ5q2CjJc6j52CAGdGb9nZfYj0tmeooGlvICewIDAQAB";

/** The DKIM TXT value (`v=DKIM1; k=rsa; p=…`), 410 bytes: two 255-byte strings on the wire. */
export const DKIM_TXT = `v=DKIM1; k=rsa; p=${DKIM_KEY}`;

/** A full example domain's records as core plans them (Google-style), for backend tests. */
export const acmeRecords: DnsRecord[] = [
  { name: "acme.com", type: "MX", ttl: 3600, priority: 1, value: "smtp.google.com", role: "mx" },
  {
    name: "acme.com",
    type: "TXT",
    ttl: 3600,
    value: "v=spf1 include:_spf.google.com include:_spf.salesforce.com -all",
    role: "spf",
  },
  {
    name: "acme.com",
    type: "TXT",
    ttl: 3600,
    value: "google-site-verification=abc123",
    role: "verification-1",
  },
  {
    name: "google._domainkey.acme.com",
    type: "TXT",
    ttl: 3600,
    value: DKIM_TXT,
    role: "dkim-google",
  },
  {
    name: "_dmarc.acme.com",
    type: "TXT",
    ttl: 3600,
    value: "v=DMARC1; p=reject; rua=mailto:dmarc@acme.com",
    role: "dmarc",
  },
  {
    name: "_mta-sts.acme.com",
    type: "TXT",
    ttl: 3600,
    value: "v=STSv1; id=20260101",
    role: "mta-sts",
  },
  {
    name: "_smtp._tls.acme.com",
    type: "TXT",
    ttl: 3600,
    value: "v=TLSRPTv1; rua=mailto:tls-reports@acme.com",
    role: "tls-rpt",
  },
  {
    name: "_imaps._tcp.acme.com",
    type: "SRV",
    ttl: 3600,
    priority: 0,
    weight: 1,
    port: 993,
    value: "imap.gmail.com",
    role: "srv-imaps",
  },
  {
    name: "_submission._tcp.acme.com",
    type: "SRV",
    ttl: 3600,
    priority: 0,
    weight: 1,
    port: 587,
    value: "smtp.gmail.com",
    role: "srv-submission",
  },
  {
    name: "acme.co",
    type: "MX",
    ttl: 3600,
    priority: 1,
    value: "smtp.google.com",
    role: "alias-acme.co-mx",
  },
];

/** What `cloudflare.getEmailRoutingDns` answers for example.org: MX set (unordered) and SPF. */
export const CLOUDFLARE_ROUTING_DNS = {
  dns: [
    {
      name: "example.org",
      type: "MX",
      content: "route3.mx.cloudflare.net",
      priority: 86,
      ttl: 1,
    },
    {
      name: "example.org",
      type: "MX",
      content: "route1.mx.cloudflare.net",
      priority: 0,
      ttl: 1,
    },
    {
      name: "example.org",
      type: "MX",
      content: "route2.mx.cloudflare.net",
      priority: 37,
      ttl: 1,
    },
    {
      name: "example.org",
      type: "TXT",
      content: '"v=spf1 include:_spf.mx.cloudflare.net ~all"',
      priority: 0,
      ttl: 1,
    },
  ],
};
