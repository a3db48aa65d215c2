import { useState } from 'react';

/**
 * The busy flag and the API's refusal for a form that submits to the API: `run` clears the
 * error, marks the form busy while `work` runs and keeps what it throws for an ErrorBanner.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return { busy, error, setError, run };
}
