import { Component } from '@angular/core';
import { injectLogger } from 'rxlog/angular';

@Component({
  selector: 'app-home-page',
  template: `
    <h2>Home</h2>
    <button id="log-burst" (click)="logBurst()">Log 5 events</button>
    <button id="reject" (click)="reject()">Reject a promise</button>
  `,
})
export class HomePage {
  private readonly log = injectLogger('HomePage');

  logBurst(): void {
    for (let i = 1; i <= 5; i++) this.log.debug('Burst event {Index} of {Count}', i, 5);
  }

  reject(): void {
    // Nobody handles this rejection: provideBrowserGlobalErrorListeners hands it to the ErrorHandler.
    void Promise.reject(new Error('Demo rejection nobody handled'));
  }
}
