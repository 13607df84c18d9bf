// A real OpenID Connect provider for the single sign-on tests (panva/node-oidc-provider, OpenID certified).
// Started by custos/sso/tests as a subprocess: node provider.mjs <port> with OIDC_TEST_CONFIG in the environment:
// {"clients": [...], "accounts": {"<login>": {"email": ..., "email_verified": ..., "amr": [...]}}}.
// Its development login form takes the account's login (any password) and then asks for consent.
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const config = JSON.parse(process.env.OIDC_TEST_CONFIG);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: config.clients,
  pkce: { required: () => true },
  claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false,
  cookies: { keys: ['custos-test-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, sub) {
    const account = config.accounts[sub];
    if (!account) return undefined;
    const { amr, ...claims } = account;
    return { accountId: sub, async claims() { return { sub, ...claims }; } };
  },
});
provider.proxy = false;
// The development login form records no authentication methods; an account's "amr" (e.g. ["pwd", "mfa"], as
// Entra ID sends after MFA) is put on the login result, so it reaches the ID token's amr claim.
const finish = provider.interactionFinished.bind(provider);
provider.interactionFinished = async (req, res, result, options) => {
  const amr = result?.login && config.accounts[result.login.accountId]?.amr;
  if (amr) result.login.amr = amr;
  return finish(req, res, result, options);
};
provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
