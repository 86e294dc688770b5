/**
 * The floor provider of `pnpm bench:engine`: the cheapest resource provider Node can serve with
 * @pulumi/pulumi's stock host (`pulumi.provider.main`), so that "the engine + this provider" is the
 * least any Node provider can cost for the same resources. One type, `floor:index:Thing`: create
 * returns its inputs as outputs (id = the resource name), diff compares inputs as JSON, update
 * returns the new inputs, delete does nothing. No check (the host passes inputs through), no
 * schema, no I/O.
 */
import * as pulumi from "@pulumi/pulumi";

/** The resource name at the end of a URN (unique within the floor stack). */
const nameOf = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);

const floor: pulumi.provider.Provider = {
  version: "0.0.1",
  create: async (urn, inputs) => ({ id: nameOf(urn), outs: inputs }),
  diff: async (_id, _urn, olds, news) => ({
    changes: JSON.stringify(olds) !== JSON.stringify(news),
  }),
  update: async (_id, _urn, _olds, news) => ({ outs: news }),
  delete: async () => {},
};

void pulumi.provider.main(floor, process.argv.slice(2));
