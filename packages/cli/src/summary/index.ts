export * from "./preview";
export * from "./dns";
export * from "./summarise";
export * from "./markdown";
export { registerSummaryCommand, summaryFromFiles } from "./command";
