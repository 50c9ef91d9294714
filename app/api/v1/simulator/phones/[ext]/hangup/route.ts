export { hangUpPhone as POST } from "@/server/api/rest/operations/simulator";
