export * from "./client";
export * from "./transport";
export type { components, operations, paths } from "./schema";
