/**
 * One action (rollback, cancel, promote, start now, approve, reject) behind a confirmation: the
 * viewer reads what will happen, gives a reason, and confirms. Escape or Cancel closes it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export interface ActionSpec {
  title: string;
  /** What happens, in one or two sentences. */
  explain: string;
  confirmLabel: string;
  /** The API needs a reason for this action (promote, approve, reject). */
  reasonRequired: boolean;
  /** The API keeps no reason for this action (rollback): the field is shown, its text only noted on the page. */
  reasonKept?: boolean;
  /** Choices of release (rollback to a chosen release); the first is the default. */
  releases?: { value: string; label: string }[];
  run(reason: string, release: string | undefined): Promise<string>;
}

export function ActionDialog({ spec, onClose }: { spec: ActionSpec; onClose(result?: string): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [release, setRelease] = useState(spec.releases?.[0]?.value);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (spec.reasonRequired && !reason.trim()) {
      setError('Give a reason: it is recorded with the deployment.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const result = await spec.run(reason.trim(), release || undefined);
      dialog.current?.close();
      onClose(result);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="action-title" onClose={() => onClose()}>
      <form onSubmit={submit}>
        <h2 id="action-title">{spec.title}</h2>
        <p>{spec.explain}</p>
        {spec.releases && (
          <label>
            Release
            <select value={release} onChange={(e) => setRelease((e.target as HTMLSelectElement).value)}>
              {spec.releases.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Reason{spec.reasonRequired ? '' : ' (optional)'}
          <textarea name="reason" rows={2} maxLength={1000} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        </label>
        {spec.reasonKept === false && <p class="muted small">This API records who rolled back, not why: the reason is not stored.</p>}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="buttons">
          <button type="button" onClick={() => dialog.current?.close()} disabled={busy}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={busy}>
            {busy ? 'Working…' : spec.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
