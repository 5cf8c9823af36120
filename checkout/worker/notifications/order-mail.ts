/** The e-mails about an order: confirmation (with a QR code per ticket), reminder, cancellation. */
import QRCode from 'qrcode';
import { formatEventTime, formatMoney, plural } from '../../../common/money.js';
import type { OrderView } from '../../orders/order-view.js';
import { breakdownLines } from '../../pricing/price-breakdown.js';
import type { OutgoingMail } from './mail-transport.js';
import type { NotificationKind } from './notification-queue.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const money = formatMoney;

/** `withQr`: render the QR images (skipped when the mail is only recorded: they would be thrown away). */
export async function orderMail(kind: NotificationKind, order: OrderView, orderUrl: string, withQr = true): Promise<OutgoingMail> {
  const event = order.event;
  const title = event ? `${event.title} — ${event.venue}, ${formatEventTime(event.startsAt)}` : 'your event';
  const live = order.tickets.filter((t) => t.status === 'live');
  // The number fans quote to support; the internal id only for an order not yet numbered.
  const number = order.number ?? order.orderId;
  // the price as fixed at checkout, line by line, the same lines and wording as the pages
  const priceLines = order.breakdown ? breakdownLines(order.breakdown).map((l) => `${l.label}: ${l.text}`) : [`Total: ${money(order.amountMinor, order.currency)}`];
  const priceHtml = `<table class="price">${priceLines.map((l) => `<tr><td>${esc(l)}</td></tr>`).join('')}</table>`;
  if (kind === 'cancellation') {
    const refund = order.refund ? money(order.refund.amountMinor, order.currency) : money(0, order.currency);
    const text = `Your order ${number} for ${title} is cancelled. Refund: ${refund}.\n\nYou paid:\n${priceLines.join('\n')}\n\n${orderUrl}`;
    return { to: order.email, subject: `Cancelled: ${event?.title ?? 'your order'} (order ${number})`, text, html: `<p>${esc(text)}</p>` };
  }
  if (kind === 'reminder') {
    const text = `Reminder: ${title}. You have ${plural(live.length, 'ticket')}: ${live.map((t) => t.label).join('; ')}. Order ${number}.\n${orderUrl}`;
    return { to: order.email, subject: `Soon: ${event?.title ?? 'your event'}`, text, html: `<p>${esc(text)}</p>` };
  }
  // confirmation: one QR code per ticket, encoding the ticket id the door scanner checks
  const attachments = !withQr ? [] : await Promise.all(
    live.map(async (t, i) => ({ filename: `ticket-${i + 1}.png`, content: await QRCode.toBuffer(t.id, { type: 'png', width: 240, errorCorrectionLevel: 'M' }), cid: `ticket-${t.id}@usher`, contentType: 'image/png' })),
  );
  const lines = live.map((t) => `${t.label} — ${money(t.priceMinor, order.currency)} — ticket ${t.id}`);
  const text = `Your tickets for ${title}\n\n${lines.join('\n')}\n\n${priceLines.join('\n')}\nOrder ${number}: ${orderUrl}`;
  const html = `<h1>Your tickets</h1><p>${esc(title)}</p>${live.map((t) => `<p>${esc(t.label)}<br><img src="cid:ticket-${t.id}@usher" alt="QR code of ticket ${t.id}" width="240" height="240"><br><small>${t.id}</small></p>`).join('')}${priceHtml}<p><a href="${esc(orderUrl)}">Order ${esc(number)}</a></p>`;
  return { to: order.email, subject: `Your tickets: ${event?.title ?? 'your event'} (order ${number})`, text, html, attachments };
}
