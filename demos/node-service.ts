// The main demo (`npm run demo`): a small simulated shop service that logs requests with
// context properties, a warning, a caught error with its stack, a child logger per component,
// and closes cleanly, printing the shutdown report.
import { LogContext, LoggerConfiguration, SelfLog } from '../lib/index';

SelfLog.enable();

const log = new LoggerConfiguration()
  .minimumLevel.debug()
  .minimumLevel.override('Shop.Db', 'information')
  .enrich.withProperty('App', 'shop')
  .enrich.fromLogContext()
  .writeTo.console({ outputTemplate: '[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext,-13} {Message:lj}{NewLine}{Exception}' })
  .createLogger();

const http = log.forContext('SourceContext', 'Shop.Http');
const payments = log.forContext('SourceContext', 'Shop.Payments');
const db = log.forContext('SourceContext', 'Shop.Db');

class CardDeclinedError extends Error {
  override name = 'CardDeclinedError';
}

function query(sql: string, ms: number): void {
  db.debug('Query {Sql} took {Ms} ms', sql, ms); // below the Shop.Db override: not written
  if (ms > 500) db.warning('Slow query {Sql} took {Ms:0.0} ms', sql, ms);
}

function charge(orderId: string, amount: number): void {
  payments.debug('Charging {Amount:0.00} EUR for order {OrderId}', amount, orderId);
  if (amount > 1000) throw new CardDeclinedError(`card declined for ${amount} EUR`);
  payments.information('Charged {Amount:0.00} EUR for order {OrderId}', amount, orderId);
}

function handle(requestId: string, method: string, path: string, body: { orderId: string; amount: number; items: string[] }): void {
  LogContext.run({ RequestId: requestId }, () => {
    http.information('{Method} {Path} started', method, path);
    query('SELECT * FROM orders WHERE id = ?', body.amount > 1000 ? 812.4 : 12);
    try {
      charge(body.orderId, body.amount);
      http.information('Order {@Order} placed', body);
    } catch (error) {
      http.error(error as Error, 'Order {OrderId} failed', body.orderId);
    }
  });
}

async function main(): Promise<void> {
  log.information('Service starting on port {Port}', 8080);
  handle('r-1', 'POST', '/orders', { orderId: 'o-1', amount: 42.5, items: ['book'] });
  handle('r-2', 'POST', '/orders', { orderId: 'o-2', amount: 1999, items: ['laptop'] });
  log.information('Served {Count} requests', 2);

  const report = await log.close({ strategy: 'graceful', timeoutMs: 2_000 });
  console.log('\nShutdown report:', JSON.stringify(report, null, 2));
}

void main();
