export { setPhone as PUT } from "@/server/api/rest/operations/simulator";
