// The top bar's search over GET /search (names by the starts of their words, shot codes by prefix): an ARIA 1.2
// combobox whose listbox groups the matches by kind. `/` focuses it from anywhere outside a text field; arrows
// move, Enter opens, Escape closes. Typing is debounced, and each state says what it is: searching, nothing
// found (and what to try), or the API's error with a retry.
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { flatten, groupsOf, type SearchHit } from './results';
import s from './search.module.css';

const DEBOUNCE_MS = 200;

/** Whether a key press belongs to a field the person is typing in (then `/` is a character, not a shortcut). */
const typingIn = (el: EventTarget | null) =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

export function GlobalSearch() {
  const navigate = useNavigate();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);

  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text]);
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      e.preventDefault();
      input.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const results = useQuery({
    queryKey: keys.search.results(q),
    queryFn: async ({ signal }) => unwrap(await api.GET('/search', { params: { query: { q, limit: 8 } }, signal })),
    enabled: q.length > 0,
    staleTime: 15_000,
  });
  const groups = useMemo(() => (results.data ? groupsOf(results.data) : []), [results.data]);
  const hits = useMemo(() => flatten(groups), [groups]);
  useEffect(() => setActive(-1), [q]);

  const show = open && text.trim().length > 0;
  const go = (hit: SearchHit) => {
    setOpen(false);
    setText('');
    input.current?.blur();
    navigate(hit.to);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      if (hits.length === 0) return;
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i < 0 && step < 0 ? hits.length - 1 : (i + step + hits.length) % hits.length));
    } else if (e.key === 'Enter') {
      const hit = hits[active] ?? (hits.length === 1 ? hits[0] : undefined);
      if (hit) {
        e.preventDefault();
        go(hit);
      }
    } else if (e.key === 'Escape') {
      if (show) e.preventDefault();
      setOpen(false);
      setActive(-1);
    }
  };

  const listId = `${id}-results`;
  const optionId = (i: number) => `${id}-option-${i}`;
  const waiting = text.trim() !== q || (results.isFetching && !results.data);
  return (
    <div className={s.search} role="search">
      <label htmlFor={`${id}-input`} className="visually-hidden">Search the studio</label>
      <input
        id={`${id}-input`}
        ref={input}
        className={s.input}
        type="text"
        role="combobox"
        aria-expanded={show}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={show && active >= 0 ? optionId(active) : undefined}
        aria-keyshortcuts="/"
        placeholder="Search…  /"
        autoComplete="off"
        spellCheck={false}
        maxLength={100}
        value={text}
        onChange={(e) => { setText(e.target.value); setOpen(true); }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <div className={s.popup} hidden={!show}>
        {show && waiting && <p role="status" className={s.state}>Searching…</p>}
        {show && !waiting && results.isError && (
          <div role="alert" className={s.state}>
            <span>Search failed: {results.error.message}</span>
            <button type="button" className={s.retry} onMouseDown={(e) => e.preventDefault()} onClick={() => void results.refetch()}>Retry</button>
          </div>
        )}
        {show && !waiting && results.isSuccess && hits.length === 0 && (
          <p role="status" className={s.state}>Nothing found for “{q}”. Type the start of a word of a name, or of a shot code.</p>
        )}
        <div id={listId} role="listbox" aria-label="Search results" className={s.list}>
          {show && !waiting && groups.map((g) => (
            <div key={g.kind} role="group" aria-labelledby={`${id}-${g.kind}`}>
              <div id={`${id}-${g.kind}`} role="presentation" className={s.groupTitle}>{g.title}</div>
              {g.hits.map((hit) => {
                const i = hits.indexOf(hit);
                return (
                  <div
                    key={hit.key}
                    id={optionId(i)}
                    role="option"
                    aria-selected={i === active}
                    className={s.option}
                    onMouseDown={(e) => e.preventDefault()}
                    onMouseEnter={() => setActive(i)}
                    onClick={() => go(hit)}
                  >
                    <span className={s.label}>{hit.label}</span>
                    {hit.detail && <span className={s.detail}>{hit.detail}</span>}
                  </div>
                );
              })}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
