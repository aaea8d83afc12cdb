// The dashboard token, kept in sessionStorage: for this tab only.
const TOKEN_KEY = 'dogegrid.dashboardToken';

export function getToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function haveToken(): boolean {
  return getToken() !== '';
}

export function setToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage unavailable: the page asks again next time.
  }
}
