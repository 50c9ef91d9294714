export { clickToCall as POST } from "@/server/api/rest/operations/calls";
