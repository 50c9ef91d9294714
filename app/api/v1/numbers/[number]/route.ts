export { putNumber as PUT } from "@/server/api/rest/operations/numbers";
