import { requireUser } from "@/server/auth/guards";
import { NotBuilt } from "@/components/shell/NotBuilt";

export default async function Page() {
  await requireUser();
  return <NotBuilt titleKey="phonebook" textKey="phonebook" />;
}
