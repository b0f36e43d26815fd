import type { ReactNode } from 'react';
import { AuditPage } from '../pages/AuditPage';
import { BreakGlassPage } from '../pages/BreakGlassPage';
import { EnrolPage } from '../pages/EnrolPage';
import { InboxPage } from '../pages/InboxPage';
import { OperatorPage } from '../pages/OperatorPage';
import { RecordPage } from '../pages/RecordPage';
import { RecoverPage } from '../pages/RecoverPage';
import { SendPage } from '../pages/SendPage';
import { SettingsPage } from '../pages/SettingsPage';
import { SignInPage } from '../pages/SignInPage';
import { KeyAlarm } from './KeyAlarm';
import { SessionEndedNotice } from './refusal';
import { href, useRoute, type Route } from './router';
import { organisationName } from '../../../src/trust/organisation-name';
import { useSession } from './session';

interface NavItem {
  path: string;
  label: string;
  roles: readonly string[];
}

const NAV: readonly NavItem[] = [
  { path: '/inbox', label: 'Records', roles: ['technologist', 'doctor', 'patient'] },
  { path: '/send', label: 'Send', roles: ['technologist', 'doctor', 'patient'] },
  { path: '/break-glass', label: 'Emergency access', roles: ['doctor'] },
  { path: '/audit', label: 'Audit', roles: ['auditor'] },
  { path: '/operator', label: 'Operator', roles: ['admin'] },
  { path: '/settings', label: 'Settings', roles: ['technologist', 'doctor', 'patient', 'auditor', 'admin'] },
];

/** The landing page of a role. */
export function homeOf(role: string): string {
  if (role === 'auditor') return '/audit';
  if (role === 'admin') return '/operator';
  return '/inbox';
}

function page(route: Route, role: string): ReactNode {
  const [first, second] = route.segments;
  switch (first) {
    case 'send':
      return <SendPage route={route} />;
    case 'records':
      return second ? <RecordPage route={route} recordId={second} /> : <InboxPage route={route} />;
    case 'inbox':
      return <InboxPage route={route} />;
    case 'break-glass':
      return <BreakGlassPage route={route} />;
    case 'audit':
      return <AuditPage route={route} />;
    case 'operator':
      return <OperatorPage route={route} />;
    case 'settings':
      return <SettingsPage route={route} />;
    default:
      return page({ ...route, segments: homeOf(role).split('/').filter(Boolean) }, role);
  }
}

/** The shell: who is signed in, the navigation of their role, and the page. */
export function App() {
  const session = useSession();
  const route = useRoute();
  const { account, keys } = session;
  const current = route.path === '/' && account ? homeOf(account.role) : route.path;

  let main: ReactNode;
  if (session.ended !== null && account) main = <SessionEndedNotice error={session.ended} />;
  else if (route.segments[0] === 'enrol') main = <EnrolPage route={route} />;
  else if (!account) main = <SignInPage route={route} />;
  else if (!keys || route.segments[0] === 'recover') main = <RecoverPage route={route} />;
  else main = page(route, account.role);

  return (
    <>
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="top">
        <span className="brand">MedShare</span>
        {account && keys && (
          <nav aria-label="Main">
            <ul>
              {NAV.filter((item) => item.roles.includes(account.role)).map((item) => (
                <li key={item.path}>
                  <a href={href(item.path)} aria-current={current.startsWith(item.path) ? 'page' : undefined}>
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {account && (
          <div className="who">
            <span data-testid="who">
              {account.enrollmentId} · {account.role} · {organisationName(keys?.trust, account.mspId)}
            </span>
            <button type="button" onClick={() => void session.signOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {account && keys && (
          <KeyAlarm client={session.client} keys={keys} register={account.role === 'admin'} />
        )}
        {main}
      </main>
    </>
  );
}
