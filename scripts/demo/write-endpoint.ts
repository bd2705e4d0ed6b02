import type http from 'node:http';
import type { DemoWriter } from './writer';

export const WRITE_PATH = '/write';

/** `POST /write` for the flow's button: writes one item with the demo writer, or refuses when there is none (--arn). */
export function writeEndpoint(writer: DemoWriter | undefined): http.RequestListener {
  return (req, res) => {
    req.resume();
    const answer = (status: number, text: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
    };
    if (req.method !== 'POST') return answer(405, 'POST to write an item');
    if (!writer) return answer(409, 'not written: with --arn the demo never writes to your table');
    writer.writeOnDemand().then(
      (line) => answer(200, `written: ${line}`),
      (error: unknown) => answer(500, `not written: ${(error as Error).message}`),
    );
  };
}
