import { useEffect, useState } from 'react';

/** A parsed location: `#/records/abc?tab=share` gives path `/records/abc` and params `{tab: 'share'}`. */
export interface Route {
  path: string;
  segments: string[];
  params: URLSearchParams;
}

function current(): Route {
  const hash = window.location.hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = hash.split('?', 2);
  return {
    path,
    segments: path.split('/').filter(Boolean).map(decodeURIComponent),
    params: new URLSearchParams(query),
  };
}

/**
 * Hash routing: the gateway serves one page, and the URL fragment never goes
 * to the server, so record ids in the address bar stay in the browser.
 */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => {
      setRoute(current());
    };
    window.addEventListener('hashchange', update);
    return () => {
      window.removeEventListener('hashchange', update);
    };
  }, []);
  return route;
}

/** Goes to an in-app path such as `/inbox`. */
export function navigate(path: string): void {
  window.location.hash = path;
}

/** The href of an in-app path, for links. */
export const href = (path: string): string => `#${path}`;
