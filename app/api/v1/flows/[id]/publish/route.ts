export { publishFlow as POST } from "@/server/api/rest/operations/flows";
