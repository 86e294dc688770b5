export * from "./mail";
export * from "./postgres";
export * from "./powerdns";
export * from "./util";
