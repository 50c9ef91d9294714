import type { ReactNode } from "react";
import { PhoneForwarded } from "lucide-react";
import { LanguageSwitch } from "../shell/LanguageSwitch";

export function AuthCard({ title, intro, children }: { title: string; intro: string; children: ReactNode }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <div className="w-full max-w-md">
        <div className="mb-6 flex items-center justify-between">
          <div className="flex items-center gap-2">
            <span className="flex h-9 w-9 items-center justify-center rounded-lg bg-brand-600 text-white">
              <PhoneForwarded aria-hidden className="h-5 w-5" />
            </span>
            <span className="text-lg font-semibold">Switchboard</span>
          </div>
          <LanguageSwitch signedIn={false} />
        </div>
        <div className="rounded-xl bg-white p-8 shadow-sm ring-1 ring-slate-200">
          <h1 className="text-xl font-semibold">{title}</h1>
          <p className="mt-1 text-sm text-slate-600">{intro}</p>
          <div className="mt-6">{children}</div>
        </div>
      </div>
    </main>
  );
}
