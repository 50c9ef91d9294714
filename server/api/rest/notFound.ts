import { ApiProblem, problemResponse } from "./problem";

/** Unknown paths under /api/v1 answer problem+json like everything else in the API. */
export function unknownPath(request: Request): Response {
  return problemResponse(new ApiProblem(404, `No API operation at ${new URL(request.url).pathname}; see /api/v1/openapi.json`));
}
