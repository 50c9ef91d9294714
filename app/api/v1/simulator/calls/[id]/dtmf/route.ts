export { pressDigits as POST } from "@/server/api/rest/operations/simulator";
