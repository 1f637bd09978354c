// The page of `docker jindr ui`: a header naming the registry, a navigation, one view
// at a time chosen by the URL's #fragment, and a live region announcing results.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { InfoAnswer } from '../api-types.ts';
import { get, post } from './api.ts';
import { Clean } from './clean.tsx';
import { useLoad } from './hooks.ts';
import { Image } from './image.tsx';
import { Failure } from './parts.tsx';
import { Repositories } from './repositories.tsx';
import { Tags } from './tags.tsx';
import { Usage } from './usage.tsx';

export type Route =
  | { view: 'repositories' }
  | { view: 'tags'; repository: string }
  | { view: 'image'; repository: string; reference: string }
  | { view: 'usage' }
  | { view: 'clean' };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  if (parts[0] === 'repo' && parts[1]) return { view: 'tags', repository: parts[1] };
  if (parts[0] === 'image' && parts[1] && parts[2]) return { view: 'image', repository: parts[1], reference: parts[2] };
  if (parts[0] === 'usage') return { view: 'usage' };
  if (parts[0] === 'clean') return { view: 'clean' };
  return { view: 'repositories' };
}

const TITLES: Record<Route['view'], string> = {
  repositories: 'Repositories',
  tags: 'Tags',
  image: 'Image',
  usage: 'Disk usage',
  clean: 'Clean up',
};

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function App() {
  const route = useRoute();
  const [round, setRound] = useState(0);
  const [status, setStatus] = useState('');
  const info = useLoad(() => get<InfoAnswer>('info'), [round]);
  const registry = info.data?.registry ?? '';
  useEffect(() => {
    const name = route.view === 'tags' || route.view === 'image' ? route.repository : TITLES[route.view];
    document.title = `${name} · ${registry || 'docker jindr ui'}`;
  }, [route, registry]);
  const announce = (text: string): void => setStatus(text);
  const where = JSON.stringify(route);
  useEffect(() => setStatus(''), [where]);
  const refresh = async (): Promise<void> => {
    await post('refresh', {}).catch(() => {});
    setRound((r) => r + 1);
    announce('Read the registry again.');
  };
  const changed = (): void => setRound((r) => r + 1);
  const current = route.view === 'tags' || route.view === 'image' ? 'repositories' : route.view;
  const nav = (view: Route['view'], href: string, label: string) => (
    <li>
      <a href={href} aria-current={current === view ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('view-title')?.focus();
        }}
      >
        Skip to content
      </a>
      <header>
        <p class="brand">
          docker jindr <span class="muted">·</span> <strong>{registry}</strong>
        </p>
        <nav aria-label="Views">
          <ul>
            {nav('repositories', '#/', 'Repositories')}
            {nav('usage', '#/usage', 'Disk usage')}
            {nav('clean', '#/clean', 'Clean up')}
          </ul>
        </nav>
        <button type="button" onClick={() => void refresh()}>
          Refresh
        </button>
      </header>
      <div class={status ? 'announcer' : 'announcer empty'} role="status" aria-live="polite" id="announcer">
        {status}
      </div>
      <main id="main">
        {info.error ? <Failure message={info.error} /> : null}
        {route.view === 'repositories' ? <Repositories round={round} /> : null}
        {route.view === 'tags' ? <Tags repository={route.repository} round={round} announce={announce} key={route.repository} /> : null}
        {route.view === 'image' ? (
          <Image repository={route.repository} reference={route.reference} round={round} key={`${route.repository}/${route.reference}`} />
        ) : null}
        {route.view === 'usage' ? <Usage round={round} /> : null}
        {route.view === 'clean' ? <Clean info={info.data} announce={announce} onChanged={changed} /> : null}
      </main>
      <footer class="muted">docker-jindr {info.data?.version ?? ''}: this page talks only to docker-jindr on this machine.</footer>
    </>
  );
}

// The token came in the URL: the server answered with a cookie, so the URL can lose it
// (out of the address bar, the history and any screen share).
if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', location.pathname + location.hash);
render(<App />, document.getElementById('app')!);
