/**
 * Sending email over SMTP with nodemailer, one message at a time, from a connection URL
 * (`smtp://host:port`, `smtps://user:password@host:port`).
 */
import nodemailer from 'nodemailer';

/** One message to one recipient. */
export interface OutgoingMail {
  from: string;
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  /** The https one-click unsubscribe URL (RFC 8058); absent for a message no subscription sent (a confirmation). */
  unsubscribeUrl?: string;
  /** An iCalendar invitation, sent as a `text/calendar; method=…` alternative part. */
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string };
}

/** Sends one message; rejects when the server refuses it (the error names no credentials). */
export type MailSender = (mail: OutgoingMail) => Promise<void>;

/** A sender over the SMTP server of the URL. */
export function createSmtpSender(smtpUrl: string): MailSender {
  const transport = nodemailer.createTransport(smtpOptions(smtpUrl));
  return async (mail) => {
    await transport.sendMail({
      from: mail.from,
      to: { name: mail.to.name, address: mail.to.address },
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      ...(mail.unsubscribeUrl ? { list: { unsubscribe: { url: mail.unsubscribeUrl, comment: 'Unsubscribe' } }, headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } } : {}),
      ...(mail.calendar ? { icalEvent: { method: mail.calendar.method, content: mail.calendar.content } } : {}),
    });
  };
}

/** The transport options of a connection URL; a port left out is SMTP's usual one for the scheme. */
export function smtpOptions(smtpUrl: string) {
  const u = new URL(smtpUrl);
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    // NOTE: bounded waits, so a silent server fails the attempt (and the outbox retries it later) instead of
    // holding the worker for nodemailer's default minutes.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  };
}
