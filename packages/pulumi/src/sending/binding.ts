import type * as pulumi from "@pulumi/pulumi";
import type { DnsRecordInput } from "../dns/backend";

/** Where a sending binding creates its children. */
export interface SendingScope {
  /** The owning component's name, the prefix of every child name. */
  name: string;
  /** The component every child is parented to. */
  parent: pulumi.Resource;
}

/** What a sending binding created for one domain. */
export interface SendingChildren {
  /** The sending service's resources (identity, MAIL FROM settings…), keyed by child name. */
  resources: Record<string, pulumi.Resource>;
  /**
   * DNS records the service needs. Their roles are fixed, their values may be Outputs of the
   * resources above (SES DKIM tokens, unknown at preview).
   */
  records: DnsRecordInput[];
  /** SPF include domains for the domain's own SPF record (empty when a MAIL FROM subdomain is used). */
  spfInclude: string[];
}

/**
 * A transactional sending service for a domain, e.g. `ses({ region })`. It works next to any mail
 * provider: it adds its own DNS records and never touches the MX set of the domain.
 */
export interface SendingBinding {
  /** Service id, e.g. `ses`. */
  readonly kind: string;
  /** Creates the service's resources for `domain` under `scope.parent`. */
  create(domain: string, scope: SendingScope): SendingChildren;
}
