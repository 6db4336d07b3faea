export async function handler(_event: unknown): Promise<never> { throw new Error('not implemented'); } // TEMPORARY placeholder from the infra session: replace
