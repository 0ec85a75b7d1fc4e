import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactQuery, redactStackUrls, stripQuery } from '../../lib/angular/redact-query';

void describe('redactQuery', () => {
  void it('replaces every query value and drops the fragment', () => {
    assert.equal(redactQuery('/search?q=secret&page=2#top'), '/search?q=***&page=***');
    assert.equal(redactQuery('https://api.example.com/a?token=x'), 'https://api.example.com/a?token=***');
    assert.equal(redactQuery('/a?flag&b='), '/a?flag=***&b=***');
  });

  void it('hides the user name and password of a URL', () => {
    assert.equal(redactQuery('https://ann:pw@api.example.com/a?token=x'), 'https://***@api.example.com/a?token=***');
    assert.equal(redactQuery('https://token@api.example.com/a'), 'https://***@api.example.com/a');
    assert.equal(redactQuery('/users/ann@example.com'), '/users/ann@example.com');
    assert.equal(redactQuery('//ann:pw@api.example.com/a'), '//***@api.example.com/a');
  });

  // A browser reads these as credentials too (the WHATWG URL parser: a special scheme without its
  // slashes or with backslashes, leading spaces and control characters, a tab or newline inside)
  // and XMLHttpRequest sends them, yet they reached the log as they were, password and all.
  void it('hides the credentials of URLs a browser reads as having them, whatever their form', () => {
    for (const url of [
      'https:ann:pw@host/a?x=1',
      'https:/ann:pw@host/a?x=1',
      'https:\\\\ann:pw@host/a?x=1',
      ' https://ann:pw@host/a?x=1',
      '\thttps://ann:pw@host/a?x=1#top',
      'ht\ntps://ann:pw@host/a?x=1',
    ])
      assert.equal(redactQuery(url), 'https://***@host/a?x=***', JSON.stringify(url));
    assert.equal(redactQuery('/users/ann:pw@example.com?x=1'), '/users/ann:pw@example.com?x=***');
    assert.equal(redactQuery('mailto:ann@example.com'), 'mailto:ann@example.com');
  });

  void it('redacts every value of a repeated key and keeps empty pairs empty', () => {
    assert.equal(redactQuery('/a?id=1&id=2&id=3'), '/a?id=***&id=***&id=***');
    assert.equal(redactQuery('/a?&&x=1&'), '/a?&&x=***&');
    assert.equal(redactQuery('/a?x==1&=v'), '/a?x=***&=***');
  });

  void it('never throws on malformed URLs and redacts them by pattern', () => {
    assert.equal(redactQuery('http://[bad?x=1'), 'http://[bad?x=***');
    assert.equal(redactQuery('%zz?x=%zz'), '%zz?x=***');
    assert.equal(redactQuery('http://ann:pw@[bad/a?x=1'), 'http://***@[bad/a?x=***');
    assert.equal(redactQuery('http://a@[bad/a'), 'http://***@[bad/a');
  });

  void it('leaves URLs without a query as they are', () => {
    assert.equal(redactQuery('/orders/42'), '/orders/42');
    assert.equal(redactQuery('/orders/42?'), '/orders/42');
    assert.equal(redactQuery(''), '');
  });
});

void describe('stripQuery', () => {
  void it('removes query and fragment', () => {
    assert.equal(stripQuery('/orders/42?tab=items#x'), '/orders/42');
    assert.equal(stripQuery('/orders#x'), '/orders');
    assert.equal(stripQuery('/'), '/');
  });
});

// The stacks below are written as strings, in the shapes each browser gives `error.stack` (Node
// runs no Firefox or Safari); spec/angular/global-errors-chromium.spec.ts checks a real Chromium's.
void describe('redactStackUrls', () => {
  void it("redacts the query values of the script URLs in Chromium's frames, not in its message", () => {
    const stack = [
      "TypeError: Cannot read properties of undefined (reading 'id') at https://shop.example/a?token=in-message:1:2",
      '    at OrderList.total (https://shop.example/chunk-X3.js?v=3&token=secret:1:2345)',
      '    at https://shop.example/main.js?token=secret#top:2:100',
      '    at new Cart (https://shop.example/cart.js?q=(secret):4:7)',
      '    at eval (eval at load (https://shop.example/main.js?token=secret:9:3), <anonymous>:1:1)',
      '    at Array.forEach (<anonymous>)',
      '    at async Promise.all (index 0)',
      '    at boot (https://shop.example/main.js:3:1)',
    ].join('\n');
    assert.equal(
      redactStackUrls(stack),
      [
        "TypeError: Cannot read properties of undefined (reading 'id') at https://shop.example/a?token=in-message:1:2",
        '    at OrderList.total (https://shop.example/chunk-X3.js?v=***&token=***:1:2345)',
        '    at https://shop.example/main.js?token=***:2:100',
        '    at new Cart (https://shop.example/cart.js?q=***:4:7)',
        '    at eval (eval at load (https://shop.example/main.js?token=***:9:3), <anonymous>:1:1)',
        '    at Array.forEach (<anonymous>)',
        '    at async Promise.all (index 0)',
        '    at boot (https://shop.example/main.js:3:1)',
      ].join('\n'),
    );
  });

  void it("redacts them in Firefox's and Safari's frames", () => {
    const firefox = [
      'total@https://shop.example/chunk-X3.js?v=3&token=secret:1:2345',
      '@https://shop.example/main.js?token=secret:2:100',
      'load@https://shop.example/main.js?token=secret line 9 > eval:1:1',
      '',
    ].join('\n');
    assert.equal(
      redactStackUrls(firefox),
      [
        'total@https://shop.example/chunk-X3.js?v=***&token=***:1:2345',
        '@https://shop.example/main.js?token=***:2:100',
        'load@https://shop.example/main.js?token=*** line 9 > eval:1:1',
        '',
      ].join('\n'),
    );
    const safari = [
      'total@https://shop.example/chunk-X3.js?v=3&email=ann@example.com:1:2345',
      'forEach@[native code]',
      'global code@https://shop.example/main.js?token=secret:2:100',
      'load@https://ann:pw@shop.example/@fs/main.js:3:1',
      'boot@https://shop.example/node_modules/.vite/deps/@angular_core.js:4:1',
    ].join('\n');
    assert.equal(
      redactStackUrls(safari),
      [
        'total@https://shop.example/chunk-X3.js?v=***&email=***:1:2345',
        'forEach@[native code]',
        'global code@https://shop.example/main.js?token=***:2:100',
        'load@https://***@shop.example/@fs/main.js:3:1',
        'boot@https://shop.example/node_modules/.vite/deps/@angular_core.js:4:1',
      ].join('\n'),
    );
  });

  void it("leaves Node's paths and file URLs, and URLs without a query, as they are", () => {
    const node = [
      'Error: boom',
      '    at main (file:///srv/app/main.mjs?v=2:3:9)',
      '    at Object.<anonymous> (/srv/my app/index.js:1:2)',
      '    at https://shop.example/main.js:2:100',
      '    at node:internal/main/run_main_module:28:49',
    ].join('\n');
    assert.equal(redactStackUrls(node), node);
  });

  // Each `(` or `@` that starts a URL was read to the end of its word looking for a `?`, `#` or `@`:
  // a frame line of many `(https://x` without one (a crafted script name, an error's own stack text)
  // cost its length squared, about half a second for 100 KB, blocking the page in the error handler.
  void it('costs time linear in a crafted line of many URL starts without a query', () => {
    const piece = '(https://x';
    // 400 KB: a scan linear in the line takes some milliseconds (tens on a loaded machine); one that
    // goes back over the line from each URL start, as the first regex did, took seconds (0.7 s for
    // 100 KB, sixteen times that for four times the line). The fastest of three runs is bounded.
    const stack = `Error: x\n    at f ${piece.repeat(40_000)}`;
    let fastest = Infinity;
    for (let run = 0; run < 3; run++) {
      const began = performance.now();
      assert.equal(redactStackUrls(stack), stack);
      fastest = Math.min(fastest, performance.now() - began);
    }
    assert.ok(fastest < 1_000, `400 KB in ${fastest} ms`);
    assert.equal(
      redactStackUrls(`Error: x\n    at f ${piece.repeat(3)} (https://shop.example/a.js?token=secret:1:2)`),
      `Error: x\n    at f ${piece.repeat(3)} (https://shop.example/a.js?token=***:1:2)`,
    );
  });
});
