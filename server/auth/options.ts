import type { NextAuthOptions, Session } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { users } from "../db/schema";
import { getAppSecret } from "../config";
import { findUserForLogin } from "../services/users";
import { verifySecret } from "./passwords";
import { LoginThrottle } from "./throttle";
import { componentLogger } from "../logger";
import { clientIp as peerClientIp, PEER_ADDRESS_HEADER } from "../api/rest/clientIp";
import type { Locale, Role } from "@/lib/schemas/directory";

const log = componentLogger("auth");
// The failures themselves are in the database (throttle.ts), shared by every bundle and process.
const throttles = {
  account: new LoginThrottle(5, 15 * 60_000),
  ip: new LoginThrottle(20, 15 * 60_000),
};

// A fixed hash so that an unknown e-mail costs as much time as a wrong password.
const timingDummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c3dpdGNoYm9hcmQtZHVtbXk$SqS8c7oEsg0yg4v/H81IFmUWtP2RFsb+baUs+5rmHgk";

export class LoginThrottledError extends Error {
  constructor() {
    super("throttled");
  }
}

/** The client's address for throttling, the same way the public API sees it (a client-sent X-Forwarded-For proves nothing). */
function clientIp(headers: Record<string, unknown> | undefined): string {
  const forwarded = headers?.["x-forwarded-for"];
  const request = new Request("http://local/", {
    headers: {
      [PEER_ADDRESS_HEADER]: String(headers?.[PEER_ADDRESS_HEADER] ?? ""),
      ...(typeof forwarded === "string" ? { "x-forwarded-for": forwarded } : {}),
    },
  });
  return peerClientIp(request) ?? "local";
}

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/login" },
  get secret() {
    return getAppSecret();
  },
  providers: [
    CredentialsProvider({
      name: "password",
      credentials: { email: { type: "email" }, password: { type: "password" } },
      async authorize(credentials, req) {
        const email = String(credentials?.email ?? "").trim().toLowerCase();
        const password = String(credentials?.password ?? "");
        const ipKey = `ip:${clientIp(req?.headers)}`;
        const accountKey = `account:${email}`;
        const db = getDb();
        if ((await throttles.account.retryAfterMs(db, accountKey)) > 0 || (await throttles.ip.retryAfterMs(db, ipKey)) > 0) {
          log.warn({ email }, "sign-in throttled");
          throw new LoginThrottledError();
        }
        const user = email ? await findUserForLogin(db, email) : undefined;
        const ok = await verifySecret(user?.passwordHash ?? timingDummyHash, password);
        if (!user || !user.passwordHash || !ok || !user.enabled) {
          await throttles.account.recordFailure(db, accountKey);
          await throttles.ip.recordFailure(db, ipKey);
          log.info({ email }, "sign-in refused");
          return null;
        }
        await throttles.account.reset(db, accountKey);
        log.info({ userId: user.id }, "signed in");
        return { id: user.id };
      },
    }),
  ],
  callbacks: {
    // Role, name and language are re-read on every request, so disabling or demoting a user takes effect at once.
    async jwt({ token, user }) {
      const userId = (user?.id ?? token.sub) as string | undefined;
      if (!userId) return token;
      const [row] = await getDb()
        .select({ role: users.role, enabled: users.enabled, locale: users.locale, firstName: users.firstName, lastName: users.lastName, email: users.email })
        .from(users)
        .where(eq(users.id, userId))
        .limit(1);
      if (!row || !row.enabled) return { ...token, disabled: true };
      return { ...token, sub: userId, role: row.role, locale: row.locale, name: `${row.firstName} ${row.lastName}`.trim(), email: row.email, disabled: false };
    },
    async session({ session, token }) {
      if (token.disabled || !token.sub) return { ...session, user: undefined } as unknown as Session;
      session.user = {
        id: token.sub,
        name: token.name ?? "",
        email: token.email ?? "",
        role: token.role as Role,
        locale: (token.locale as Locale | null) ?? null,
      };
      return session;
    },
  },
};

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  locale: Locale | null;
}

declare module "next-auth" {
  interface Session {
    user: SessionUser;
  }
}

/** The signed-in user, or null. Server components, route handlers and tRPC all use this. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions);
  return session?.user?.id ? session.user : null;
}
