import { Component } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { injectLogger } from 'rxlog/angular';
import { Observable } from 'rxjs';
import { LogViewer } from './log-viewer';

@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, LogViewer],
  template: `
    <h1>rxlog Angular demo</h1>
    <nav>
      <a routerLink="/" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }" id="nav-home">Home</a>
      <a routerLink="/orders/42" [queryParams]="{ tab: 'items' }" routerLinkActive="active" id="nav-order">Order 42</a>
    </nav>
    <p id="one-rxjs">One copy of rxjs: {{ oneRxjs }}</p>
    <router-outlet />
    <app-log-viewer />
  `,
})
export class App {
  private readonly log = injectLogger('App');
  /** The app and rxlog share one rxjs: the Observables rxlog returns are the app's own. */
  protected readonly oneRxjs = this.log.events$ instanceof Observable;

  constructor() {
    this.log.information('Demo started; one copy of rxjs: {OneRxjs}', this.oneRxjs);
  }
}
