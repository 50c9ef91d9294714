import NextAuth from "next-auth";
import { authOptions } from "@/server/auth/options";

// Options are passed per request so that nothing (such as the generated app secret) is read at build time.
function handler(req: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(req as never, context as never, authOptions);
}

export { handler as GET, handler as POST };
