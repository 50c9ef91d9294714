export { validateFlow as POST } from "@/server/api/rest/operations/flows";
