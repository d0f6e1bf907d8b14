/** A build's output, streamed live from its `output_stream_url` into a <pre> (text, never HTML). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { readBuildOutput } from '../streams';

export function BuildOutput({ url, label }: { url: string; label: string }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<'streaming' | 'done' | 'failed'>('streaming');
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const abort = new AbortController();
    setText('');
    setState('streaming');
    readBuildOutput(url, (chunk) => setText((t) => t + chunk), abort.signal).then(
      () => setState('done'),
      () => { if (!abort.signal.aborted) setState('failed'); },
    );
    return () => abort.abort();
  }, [url]);
  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <div class="build-output">
      <p class="muted small" role="status">{label}: {state === 'streaming' ? 'streaming…' : state === 'done' ? 'output complete' : 'output unavailable'}</p>
      <pre ref={pre} tabIndex={0} aria-label={`${label} output`} data-testid="build-output">{text}</pre>
    </div>
  );
}
