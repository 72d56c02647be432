// The `worker` component of the example app `shop` (function shop-worker): processes the orders
// the api queues. Its alarm, shop-worker-errors, is one of the signals of the app's one verdict.
export const handler = async (event) => {
  const orders = event?.Records?.length ?? 0;
  return { processed: orders, release: 'r1' };
};
