/**
 * A failure the person acting should hear about, in words meant for them. `code` is stable
 * (tests, logs and API clients match on it); `message` is what Slack or the web page shows.
 * The domain throws these and never imports Slack types: each surface decides how to show them.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export const DATABASE_UNAVAILABLE_MESSAGE =
  "Team Manager can't reach its database right now, so nothing was changed. Please try again in a minute.";
