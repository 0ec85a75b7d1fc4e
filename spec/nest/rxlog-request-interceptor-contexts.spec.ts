import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, of } from 'rxjs';
import { requestLoggingSettings } from '../../lib/nest/request-logging-settings';
import { RxlogRequestContext } from '../../lib/nest/rxlog-request-context';
import { RxlogRequestInterceptor } from '../../lib/nest/rxlog-request-interceptor';
import { memoryLogger } from '../helpers/node-http';

/** What Nest's ExecutionContextHost gives for a handler called with `args`, as `type`. */
function contextOf(type: string, args: readonly unknown[]): ExecutionContext {
  return {
    getType: () => type,
    getArgs: () => args,
    switchToHttp: () => ({ getRequest: () => args[0], getResponse: () => args[1], getNext: () => args[2] }),
  } as unknown as ExecutionContext;
}

const handler: CallHandler<unknown> = { handle: () => of('handled') };

describe('RxlogRequestInterceptor outside HTTP requests', () => {
  it('passes non-HTTP handlers through untouched: microservices, websockets, GraphQL resolvers', async () => {
    const { log, events } = memoryLogger();
    const interceptor = new RxlogRequestInterceptor(new RxlogRequestContext(log, requestLoggingSettings({})));
    for (const [type, args] of [
      ['rpc', [{ orderId: 7 }, { getPattern: () => 'orders.created' }]],
      ['ws', [{ id: 'socket-1' }, { text: 'hi' }]],
      ['graphql', [undefined, { id: 7 }, { req: {} }, {}]],
    ] as const)
      await expect(lastValueFrom(interceptor.intercept(contextOf(type, args), handler))).resolves.toBe('handled');
    await log.flush();
    expect(events).toEqual([]);
  });

  it('passes through a handler typed http whose arguments are no HTTP request (ExternalContextCreator’s default type), never failing it', async () => {
    const { log, events } = memoryLogger();
    const interceptor = new RxlogRequestInterceptor(new RxlogRequestContext(log, requestLoggingSettings({})));
    // A queue or event library's handler made with ExternalContextCreator.create(instance, callback, name),
    // whose context type defaults to 'http': its arguments are the message and its envelope.
    for (const args of [
      ['order.created', { ack: () => undefined }],
      [undefined, undefined],
      [null],
      [42, 'envelope'],
      [{ orderId: 7 }, { fields: { routingKey: 'orders' } }],
      [],
    ])
      await expect(lastValueFrom(interceptor.intercept(contextOf('http', args), handler))).resolves.toBe('handled');
    await log.flush();
    expect(events).toEqual([]);
  });
});
