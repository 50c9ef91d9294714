import { requireAdmin } from "@/server/auth/guards";
import { NotBuilt } from "@/components/shell/NotBuilt";

export default async function Page() {
  await requireAdmin();
  return <NotBuilt titleKey="flows" textKey="flows" />;
}
