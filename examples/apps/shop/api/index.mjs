// The `api` component of the example app `shop` (function shop-api): what the shop's pages call.
// A new release must keep answering the routes the live page calls: during the canary the old page
// is still served and calls the alias, which sends a share of its requests to the new version.
export const handler = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'shop api, release r1', products: [{ id: 'mug', price: 12 }] }),
});
