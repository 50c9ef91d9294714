import { requireAdmin } from "@/server/auth/guards";
import { FlowEditor } from "@/components/flow-editor/FlowEditor";

export default async function FlowEditorPage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdmin();
  const { id } = await params;
  return <FlowEditor flowId={id} />;
}
