// What the API remembers of configure(): whether it was called, and the numbers its error
// messages quote.

export const settings = {
  /** configure() succeeded at least once. */
  configured: false,
  /** queue.maxActions in force. */
  maxActions: 10000,
};
