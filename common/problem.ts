/**
 * RFC 9457 problem details: the one error shape of every HTTP answer and WebSocket error message.
 * Domain code throws a `Problem` (or a domain error the boundary maps to one); anything else
 * becomes a 500 without internals.
 */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}

const titles: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 410: 'Gone', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail?: string,
    readonly extra: Record<string, unknown> = {},
    /** Seconds the client should wait before retrying (sent as Retry-After): 503s that a retry cures. */
    readonly retryAfterS?: number,
  ) {
    super(detail ?? titles[status] ?? code);
    this.name = 'Problem';
  }

  get body(): ProblemBody {
    return {
      type: `https://usher.dev/problems/${this.code}`,
      title: titles[this.status] ?? 'Error',
      status: this.status,
      code: this.code,
      detail: this.message,
      ...this.extra,
    };
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
