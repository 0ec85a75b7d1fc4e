// The main demo (`npm run demo`): a small simulated shop service. It logs requests with context
// properties that follow `await`, a warning, a caught error with its stack and a logger per
// component; writes coloured text to the console and CLEF to a daily rolling file under ./logs;
// then closes cleanly and prints the shutdown report.
import { LogContext, LoggerConfiguration, SelfLog } from '../lib/index';
import { FileSink, installProcessHooks, useAsyncLocalStorage, withMachineName, withProcessId } from '../lib/node/index';

SelfLog.enable();
useAsyncLocalStorage(); // LogContext properties follow async continuations

const log = new LoggerConfiguration().minimumLevel
  .debug()
  .minimumLevel.override('Shop.Db', 'information')
  .enrich.withProperty('App', 'shop')
  .enrich.with(withProcessId(), withMachineName())
  .enrich.fromLogContext()
  // {RequestId} shows which request each line belongs to (blank outside a request).
  .writeTo.console({
    outputTemplate: '[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext,-13} {Message:lj} {RequestId}{NewLine}{Exception}',
  })
  .writeTo.sink(new FileSink('logs/shop-.log', { rollingInterval: 'day', retainedFileCountLimit: 7 }), { name: 'file' })
  .createLogger();
installProcessHooks(log, { timeoutMs: 2_000 }); // Ctrl-C, exit and crashes flush the file

const http = log.forContext('SourceContext', 'Shop.Http');
const payments = log.forContext('SourceContext', 'Shop.Payments');
const db = log.forContext('SourceContext', 'Shop.Db');

class CardDeclinedError extends Error {
  override name = 'CardDeclinedError';
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function query(sql: string, ms: number): Promise<void> {
  await pause(5);
  db.debug('Query {Sql} took {Ms} ms', sql, ms); // below the Shop.Db override: not written
  if (ms > 500) db.warning('Slow query {Sql} took {Ms:0.0} ms', sql, ms);
}

async function charge(orderId: string, amount: number): Promise<void> {
  payments.debug('Charging {Amount:0.00} EUR for order {OrderId}', amount, orderId);
  await pause(5);
  if (amount > 1000) throw new CardDeclinedError(`card declined for ${amount} EUR`);
  payments.information('Charged {Amount:0.00} EUR for order {OrderId}', amount, orderId);
}

function handle(requestId: string, path: string, order: { orderId: string; amount: number; items: string[] }): Promise<void> {
  return LogContext.run({ RequestId: requestId }, async () => {
    http.information('POST {Path} started', path);
    await query('SELECT * FROM orders WHERE id = ?', order.amount > 1000 ? 812.4 : 12);
    try {
      await charge(order.orderId, order.amount);
      http.information('Order {@Order} placed', order);
    } catch (error) {
      http.error(error, 'Order {OrderId} failed', order.orderId);
    }
  });
}

async function main(): Promise<void> {
  log.information('Service starting on port {Port}', 8080);
  // Two requests at once: each event carries its own RequestId across the awaits.
  await Promise.all([
    handle('r-1', '/orders', { orderId: 'o-1', amount: 42.5, items: ['book'] }),
    handle('r-2', '/orders', { orderId: 'o-2', amount: 1999, items: ['laptop'] }),
  ]);
  log.information('Served {Count} requests', 2);

  const report = await log.close({ strategy: 'graceful', timeoutMs: 2_000 });
  console.log('\nShutdown report:', JSON.stringify(report, null, 2));
  const file = log.metrics().sinks.file;
  console.log(`The file sink wrote ${file.delivered} events (${file.bytesWritten} bytes of CLEF) under logs/;`);
  console.log(
    'read them, with every property, with: npm run rxlog -- --template "{Message} {Properties}{NewLine}" logs/shop-*.log',
  );
}

void main();
