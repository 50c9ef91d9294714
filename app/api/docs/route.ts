export { docsPage as GET } from "@/server/api/rest/docs/docsPage";
