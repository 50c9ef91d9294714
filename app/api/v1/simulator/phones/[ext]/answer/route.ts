export { answerPhone as POST } from "@/server/api/rest/operations/simulator";
