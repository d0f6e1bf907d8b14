/** The nodes API's shapes (`GET /nodes`, `PATCH /nodes/:node`) and the table `slipway nodes` prints. Pure. */
import { fileSize, table } from './styled.js';
import type { SwarmNode } from '@slipway/contract';

/** The nodes API's shape, shared with the other side through the contract package. */
export type NodeView = SwarmNode;

const cpu = (n: number) => String(Math.round(n * 100) / 100);

export function nodesTable(nodes: readonly NodeView[]): string[] {
  return table(nodes, [
    { header: 'Node', get: (n) => n.hostname || n.id.slice(0, 12) },
    { header: 'ID', get: (n) => n.id.slice(0, 12) },
    { header: 'Role', get: (n) => (n.leader ? `${n.role} (leader)` : n.role) },
    { header: 'State', get: (n) => n.state },
    { header: 'Availability', get: (n) => n.availability },
    { header: 'Address', get: (n) => n.address },
    { header: 'CPU used/reserved/total', get: (n) => `${n.used ? cpu(n.used.cpu_cores) : '-'} / ${cpu(n.reserved.cpus)} / ${cpu(n.cpus)}` },
    { header: 'Memory used/reserved/total', get: (n) => `${n.used ? fileSize(n.used.memory_bytes) : '-'} / ${fileSize(n.reserved.memory_bytes)} / ${fileSize(n.memory_bytes)}` },
    { header: 'Dynos', get: (n) => n.dynos.map((d) => `${d.app} ${d.dyno}`).join(', ') },
  ]);
}
