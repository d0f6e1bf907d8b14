import { runProviderContract } from './provider.case.js';
import { createMemoryProvider } from './memory-provider.js';

runProviderContract('slipway-memory', async () => {
  let failing: string | undefined;
  const provider = createMemoryProvider({
    step: (step) => {
      if (step === failing) throw new Error(`injected failure at ${step}`);
    },
  });
  return {
    provider,
    canConnect: async (config) => provider.connect(config.URL) !== undefined,
    roundTrip: async (config, value) => {
      const space = provider.connect(config.URL);
      space?.set('k', value);
      return provider.connect(config.URL)?.get('k');
    },
    leftovers: async () => provider.spaces(),
    steps: ['space', 'credentials'],
    failAt: (step) => {
      failing = step;
    },
    close: async () => undefined,
  };
});
