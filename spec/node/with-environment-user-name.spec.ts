import * as os from 'node:os';
import { withEnvironmentUserName } from '../../lib/node/with-environment-user-name';
import { makeEvent } from '../helpers/events';

describe('withEnvironmentUserName', () => {
  const platform = Object.getOwnPropertyDescriptor(process, 'platform') as PropertyDescriptor;
  const saved = { USER: process.env.USER, USERNAME: process.env.USERNAME, LOGNAME: process.env.LOGNAME };

  afterEach(() => {
    jest.restoreAllMocks();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const noPasswdEntry = (): void => {
    // The module object itself: the namespace import above is a read-only view of it.
    jest.spyOn(jest.requireActual<typeof os>('node:os'), 'userInfo').mockImplementation(() => {
      throw new Error('uv_os_get_passwd returned ENOENT (no such file or directory)');
    });
  };

  it('adds EnvironmentUserName, the user the process runs as, the same frozen object for every event', () => {
    const enricher = withEnvironmentUserName();
    const first = enricher(makeEvent());
    expect(first).toEqual({ EnvironmentUserName: os.userInfo().username });
    expect(enricher(makeEvent())).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('takes USER when the uid has no passwd entry, instead of throwing', () => {
    noPasswdEntry();
    process.env.USER = 'app';
    expect(withEnvironmentUserName()(makeEvent())).toEqual({ EnvironmentUserName: 'app' });
  });

  it('prefixes the domain on Windows, as Serilog does', () => {
    noPasswdEntry();
    process.env.USER = 'app';
    process.env.USERDOMAIN = 'CORP';
    Object.defineProperty(process, 'platform', { value: 'win32', configurable: true });
    try {
      expect(withEnvironmentUserName()(makeEvent())).toEqual({ EnvironmentUserName: 'CORP\\app' });
    } finally {
      Object.defineProperty(process, 'platform', platform);
      delete process.env.USERDOMAIN;
    }
  });

  it('adds nothing when neither the system nor the environment names the user', () => {
    noPasswdEntry();
    delete process.env.USER;
    delete process.env.USERNAME;
    delete process.env.LOGNAME;
    expect(withEnvironmentUserName()(makeEvent())).toBeUndefined();
  });
});
