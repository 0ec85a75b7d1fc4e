import { readNestLogCall } from '../../lib/nest/nest-log-call';

const STACK = 'Error: boom\n    at run (/app/main.js:10:5)';

describe('readNestLogCall', () => {
  it('takes a trailing string as the context, as Nest Logger instances pass it', () => {
    expect(readNestLogCall('Started', ['NestFactory'], false)).toEqual({
      message: 'Started',
      context: 'NestFactory',
      params: [],
    });
    expect(readNestLogCall('Only a message', [], false)).toEqual({ message: 'Only a message', params: [] });
    expect(readNestLogCall('Count', [3, { a: 1 }, 'Orders'], false)).toEqual({
      message: 'Count',
      context: 'Orders',
      params: [3, { a: 1 }],
    });
  });

  it('reads error(message, stack, context) and error(message, undefined, context)', () => {
    expect(readNestLogCall('Failed', [STACK, 'Orders'], true)).toEqual({
      message: 'Failed',
      stack: STACK,
      context: 'Orders',
      params: [],
    });
    expect(readNestLogCall('Failed', [undefined, 'Orders'], true)).toEqual({ message: 'Failed', context: 'Orders', params: [] });
    expect(readNestLogCall('Failed', [STACK], true)).toEqual({ message: 'Failed', stack: STACK, params: [] });
  });

  it('treats a lone second string that is no stack as the context, and a stack in last place as the stack', () => {
    expect(readNestLogCall('Failed', ['Orders'], true)).toEqual({ message: 'Failed', context: 'Orders', params: [] });
    expect(readNestLogCall('Failed', [{ id: 1 }, 'Orders', STACK], true)).toEqual({
      message: 'Failed',
      stack: STACK,
      context: 'Orders',
      params: [{ id: 1 }],
    });
  });

  it('sets plain objects aside before looking for the stack, as ConsoleLogger does: error(message, stack, { fields }, context)', () => {
    expect(readNestLogCall('Failed', [STACK, { orderId: 7 }, 'Orders'], true)).toEqual({
      message: 'Failed',
      stack: STACK,
      context: 'Orders',
      params: [{ orderId: 7 }],
    });
    expect(readNestLogCall('Failed', [{ orderId: 7 }, undefined, { retry: 2 }, 'Orders'], true)).toEqual({
      message: 'Failed',
      context: 'Orders',
      params: [{ orderId: 7 }, { retry: 2 }],
    });
    expect(readNestLogCall('Failed', [42, { orderId: 7 }, 'Orders'], true)).toEqual({
      message: 'Failed',
      context: 'Orders',
      params: [42, { orderId: 7 }],
    });
  });

  it('never takes a stack for levels without one', () => {
    expect(readNestLogCall('Hmm', [STACK, 'Orders'], false)).toEqual({ message: 'Hmm', context: 'Orders', params: [STACK] });
  });
});
