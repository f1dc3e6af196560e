// A real OpenID provider for the tests: panva's certified `oidc-provider` (npm, a devDependency)
// on a free port of 127.0.0.1. Started by tests/support/oidc.py as
//   node tests/support/oidc_provider.mjs ORIGIN...
// where each ORIGIN is an ipflow the clients may be sent back to. It prints one JSON line,
// {"issuer": "http://127.0.0.1:PORT"}, once it listens, and runs until it is killed.
//
// Two clients, `citizen` and `staff` (secret: the client id + "-secret"), each allowed the
// authorization code flow with PKCE only. Anyone may log in on the built-in development login
// page (devInteractions) with any password: the login name is the account. Eleven digits are a
// citizen's fødselsnummer, given as the `pid` claim (as ID-porten does); any login is also the
// `ipflow_username` claim that the staff client is configured to read.
//
// private_key_jwt: with IPFLOW_TEST_CLIENT_JWKS set to a JSON Web Key Set (public keys), two more
// clients, `citizen-key` and `staff-key`, have no secret and authenticate at the token endpoint
// with a client assertion signed by one of those keys; they come back to the same callbacks.
//
// Claims of the test's choosing: the JSON file named by IPFLOW_TEST_ACCOUNTS (when set), read at
// each login, maps a login to more claims for it, e.g. {"kari": {"groups": ["ipflow-ledere"],
// "name": "Kari Ansatt"}} for a staff provider's group claim.
//
// Back-channel logout: with IPFLOW_TEST_BACKCHANNEL set to an ipflow's origin, both clients
// have that ipflow's /login/oidc/<client>/backchannel-logout as their backchannel_logout_uri,
// with sid required (so ID tokens carry sid); a logout at the provider posts a logout_token there.
//
// The level of assurance: the login is authenticated at the first of the `acr_values` the client
// asked for (none when it asked for none), as ID-porten does; the ID token's `acr` says which,
// and `amr` is ["pwd"]. A login written `ACR:NAME` is NAME authenticated at ACR instead, whatever
// was asked: a provider that answers with a lower level than requested (`:NAME`: no acr).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const origins = process.argv.slice(2);
const backchannel = process.env.IPFLOW_TEST_BACKCHANNEL; // an ipflow serving on a real port
const clientJwks = process.env.IPFLOW_TEST_CLIENT_JWKS;
const withKeys = (id) => (clientJwks ? [{
  id, client_id: `${id}-key`, token_endpoint_auth_method: 'private_key_jwt',
  jwks: JSON.parse(clientJwks),
}] : []);
const clients = ['citizen', 'staff'].flatMap((id) => [
  { id, client_id: id, client_secret: `${id}-secret` }, ...withKeys(id),
]).map(({ id, ...client }) => ({
  ...client,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  redirect_uris: origins.map((origin) => `${origin}/login/oidc/${id}/callback`),
  post_logout_redirect_uris: origins.map((origin) => `${origin}/login`),
  ...(backchannel ? {
    backchannel_logout_uri: `${backchannel}/login/oidc/${id}/backchannel-logout`,
    backchannel_logout_session_required: true,
  } : {}),
}));

const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;

const extraClaims = (login) => {
  const file = process.env.IPFLOW_TEST_ACCOUNTS;
  return file ? (JSON.parse(readFileSync(file, 'utf8'))[login] ?? {}) : {};
};

const readBody = async (req) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
};

// The development login page's form, answered here so that the login carries an acr (the
// provider's own devInteractions log in without one); the consent form goes on to them, with the
// body already read (oidc-provider then takes `req.body`).
async function interaction(provider, forward, req, res) {
  const body = await readBody(req);
  const form = new URLSearchParams(body);
  if (form.get('prompt') !== 'login') {
    req.body = body;
    forward(req, res);
    return;
  }
  const { params } = await provider.interactionDetails(req, res);
  const typed = form.get('login');
  const split = typed.lastIndexOf(':');
  const asked = (params.acr_values || '').split(' ').filter(Boolean);
  const [acr, accountId] = split >= 0
    ? [typed.slice(0, split), typed.slice(split + 1)] : [asked[0], typed];
  await provider.interactionFinished(req, res, {
    login: { accountId, amr: ['pwd'], ...(acr ? { acr } : {}) },
  }, { mergeWithLastSubmission: false });
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients,
    acrValues: ['idporten-loa-substantial', 'idporten-loa-high'],
    // The provider refuses to post to special-use addresses (its SSRF guard), and the test's
    // ipflow is on 127.0.0.1: its back-channel address alone is let through.
    fetch: (url, options) => {
      const guarded = { ...options };
      if (backchannel && String(url).startsWith(`${backchannel}/`)) delete guarded.dispatcher;
      return globalThis.fetch(url, guarded);
    },
    pkce: { required: () => true },
    claims: { openid: ['sub', 'pid', 'ipflow_username', 'groups', 'name', 'email'] },
    conformIdTokenClaims: false, // the claims in the ID token itself, as ID-porten sends pid
    cookies: { keys: ['ipflow-test-provider'] },
    findAccount: async (ctx, sub) => ({
      accountId: sub,
      claims: async () => ({
        sub,
        ipflow_username: sub,
        ...(/^[0-9]{11}$/.test(sub) ? { pid: sub } : {}),
        ...extraClaims(sub),
      }),
    }),
    features: {
      devInteractions: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Logg ut hos testleverandøren', `${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Signed out', '<p>Signed out at the provider.</p>');
        },
      },
    },
  });
  provider.on('backchannel.error', (ctx, error, client) => {
    process.stderr.write(`back-channel logout to ${client.clientId} failed: ${error.message} ${error.cause ?? ''}\n`);
  });
  const forward = provider.callback();
  server.on('request', (req, res) => {
    if (req.method === 'POST' && /^\/interaction\/[^/]+$/.test(req.url)) {
      interaction(provider, forward, req, res).catch((error) => {
        process.stderr.write(`${error.stack}\n`);
        res.statusCode = 500;
        res.end();
      });
    } else {
      forward(req, res);
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
