import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message a test SMTP server accepted. */
export interface Received {
  to: string[];
  raw: string;
  /** The message's headers, each folded header on one line. */
  head: string;
  mail: ParsedMail;
}

/**
 * A real SMTP server on 127.0.0.1 (smtp-server) that keeps every message it accepts, and answers 550 to the
 * recipients in `refuse`. `env` points a Cabinet at it (CABINET_SMTP_URL, CABINET_MAIL_FROM, CABINET_PUBLIC_URL).
 */
export async function startSmtp() {
  const received: Received[] = [];
  const refuse = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address.toLowerCase())) callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((mail) => {
            const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
            received.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw, head, mail });
            callback();
          })
          .catch(callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    received,
    refuse,
    env: { CABINET_SMTP_URL: `smtp://127.0.0.1:${port}`, CABINET_MAIL_FROM: 'cabinet@example.com', CABINET_PUBLIC_URL: 'https://cabinet.example.com' },
    /** The messages sent to `address`, oldest first. */
    mailTo: (to: string): Received[] => received.filter((m) => m.to.includes(to.toLowerCase())),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
