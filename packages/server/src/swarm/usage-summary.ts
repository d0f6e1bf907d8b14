/** The node agent's summary, as it arrives at the usage intake: checked with zod before use. */
import { z } from 'zod';

const bytes = z.number().int().nonnegative();

const containerSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{12,64}$/, 'container ids are 12 to 64 hex digits'),
  memoryBytes: bytes,
  cpuMicros: bytes,
  rssBytes: bytes.optional(),
  cacheBytes: bytes.optional(),
  swapBytes: bytes.optional(),
});

const summarySchema = z.object({
  node: z.object({
    id: z.string().min(1).max(128),
    hostname: z.string().max(255),
    cpus: z.number().int().positive(),
    memoryTotalBytes: bytes,
    memoryAvailableBytes: bytes,
    load1: z.number().nonnegative(),
  }),
  atMs: z.number().optional(),
  cgroupVersion: z.union([z.literal(1), z.literal(2)]).optional(),
  containers: z.array(containerSchema).max(10_000),
});

export type NodeSummary = z.infer<typeof summarySchema>;

/** The summary, or an Error naming the first field that is wrong. */
export function parseSummary(input: unknown): NodeSummary {
  const r = summarySchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return r.data;
}
