import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { SessionProvider } from './app/session';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
createRoot(root).render(
  <StrictMode>
    <SessionProvider fallback={<p className="loading">Connecting to the gateway…</p>}>
      <App />
    </SessionProvider>
  </StrictMode>,
);
