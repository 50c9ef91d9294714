/**
 * The database schema, one file per area. drizzle-kit reads this folder to
 * generate migrations into drizzle/; the app imports everything from here.
 */
export * from "./core";
export * from "./calls";
export * from "./api";
export * from "./integration";
export * from "./audio";
