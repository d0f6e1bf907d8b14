/**
 * Logs: a live tail through a log session (`POST /apps/:app/log-sessions` → `logplex_url`, SSE),
 * filtered by source and dyno on the server, searched in the page, pausable; router errors stand out.
 * Every line is rendered as text.
 */
import type { App, LogSession } from '@slipway/contract';
import { useEffect, useRef, useState } from 'preact/hooks';
import { appPath, post } from '../api';
import { ErrorText } from '../components/ui';
import { matchesSearch, parseLogLine, type LogLine } from '../log-lines';
import { openLogStream } from '../streams';

const KEEP = 1500;

export function LogsTab({ app }: { app: App }) {
  const [source, setSource] = useState('');
  const [dyno, setDyno] = useState('');
  const [applied, setApplied] = useState({ source: '', dyno: '' });
  const [search, setSearch] = useState('');
  const [paused, setPaused] = useState(false);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [connected, setConnected] = useState<boolean | 'closed'>(false);
  const [attempt, setAttempt] = useState(0);
  const [error, setError] = useState<Error | undefined>(undefined);
  const pending = useRef<LogLine[]>([]);
  const [held, setHeld] = useState(0);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let close: (() => void) | undefined;
    let cancelled = false;
    let seq = 0;
    setLines([]);
    setError(undefined);
    const body: Record<string, unknown> = { tail: true, lines: 200 };
    if (applied.source) body.source = applied.source;
    if (applied.dyno) body.dyno = applied.dyno;
    post<LogSession>(appPath(app.name, '/log-sessions'), body).then((session) => {
      if (cancelled) return;
      close = openLogStream(session.logplex_url, (raw) => {
        const line = parseLogLine(raw, seq++);
        if (pausedRef.current) {
          pending.current.push(line);
          setHeld(pending.current.length);
        }
        else setLines((ls) => [...ls, line].slice(-KEEP));
      }, setConnected, () => setConnected('closed'));
    }, (err: Error) => { if (!cancelled) setError(err); });
    return () => {
      cancelled = true;
      close?.();
    };
  }, [app.name, applied.source, applied.dyno, attempt]);

  useEffect(() => {
    if (!paused && pending.current.length > 0) {
      const more = pending.current;
      pending.current = [];
      setHeld(0);
      setLines((ls) => [...ls, ...more].slice(-KEEP));
    }
  }, [paused]);

  useEffect(() => {
    const el = box.current;
    if (el && !paused) el.scrollTop = el.scrollHeight;
  }, [lines, paused, search]);

  const shown = search.trim() === '' ? lines : lines.filter((l) => matchesSearch(l, search));
  return (
    <div class="tab">
      <form class="inline filters" onSubmit={(e) => { e.preventDefault(); setApplied({ source, dyno: dyno.trim() }); }} aria-label="Log filters">
        <label for="log-source">Source</label>
        <select id="log-source" value={source} onChange={(e) => setSource(e.currentTarget.value)}>
          <option value="">all</option>
          <option value="app">app</option>
          <option value="heroku">heroku</option>
        </select>
        <label for="log-dyno">Dyno</label>
        <input id="log-dyno" value={dyno} placeholder="web.1, router…" onInput={(e) => setDyno(e.currentTarget.value)} />
        <button type="submit" class="secondary">Apply filters</button>
        <label for="log-search">Search</label>
        <input id="log-search" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>{paused ? `Resume (${held} new)` : 'Pause'}</button>
        <span class={connected === true ? 'live on' : 'live'} role="status">{connected === true ? 'live' : connected === 'closed' ? 'disconnected' : 'connecting…'}</span>
        {connected === 'closed' && <button type="button" class="secondary" onClick={() => setAttempt(attempt + 1)}>Reconnect</button>}
      </form>
      <ErrorText error={error} />
      <div class="logs" ref={box} tabIndex={0} role="log" aria-label="Log lines" aria-live="off">
        {shown.length === 0 && <p class="empty">{lines.length === 0 ? 'Waiting for log lines…' : 'No line matches the search.'}</p>}
        {shown.map((l) => (
          <div key={l.seq} class={l.error ? 'line router-error' : 'line'}>
            <span class="ts">{l.time.slice(11, 19)}</span> <span class="src">{l.source}</span> <span class="text">{l.text}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
