// The Mailer over SMTP (nodemailer): one pooled transport per process, bounded by a send timeout so a
// stuck relay fails the request with 503 instead of holding it.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Mailer, MailMessage } from '../../app/services/Mailer';
import type { Logger } from '../logging/logger';

export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    private readonly options: { url: string; from: string; timeoutMs: number; logger: Logger },
  ) {
    const t = options.timeoutMs;
    this.transport = nodemailer.createTransport({ url: options.url, pool: true, maxConnections: 4, connectionTimeout: t, greetingTimeout: t, socketTimeout: t });
  }

  async send(message: MailMessage): Promise<void> {
    // The address as an object: nodemailer parses a string as a list ("a@x, b@y"), and one request must
    // never mail more than the one address it names.
    const info = await this.transport.sendMail({ from: this.options.from, to: { name: '', address: message.to }, subject: message.subject, text: message.text });
    // The address is personal data: the log names the message, not the person.
    this.options.logger.info('mail sent', { messageId: info.messageId, subject: message.subject });
  }

  close(): void {
    this.transport.close();
  }
}
