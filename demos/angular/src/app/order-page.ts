import { HttpClient } from '@angular/common/http';
import { Component, inject, signal } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { injectLogger } from 'rxlog/angular';

@Component({
  selector: 'app-order-page',
  template: `
    <h2>Order {{ id }}</h2>
    <button id="load-order" (click)="load()">Load the order</button>
    <button id="call-failing-api" (click)="callFailingApi()">Call a failing API</button>
    <button id="throw" (click)="throwError()">Throw an error</button>
    <p id="status">{{ status() }}</p>
  `,
})
export class OrderPage {
  private readonly http = inject(HttpClient);
  private readonly log = injectLogger('OrderPage');
  protected readonly id = inject(ActivatedRoute).snapshot.paramMap.get('id') ?? '?';
  protected readonly status = signal('');

  load(): void {
    this.http.get<{ id: string; total: number }>(`/api/orders/${this.id}`).subscribe({
      next: (order) => {
        this.log.information('Order {OrderId} loaded, total {Total}', order.id, order.total);
        this.status.set(`Order ${order.id} loaded`);
      },
      error: () => this.status.set('Loading failed'),
    });
  }

  callFailingApi(): void {
    this.http.get('/api/fail', { params: { token: 'secret-token' } }).subscribe({
      next: () => this.status.set('Unexpected success'),
      error: () => this.status.set('The API failed (and was logged)'),
    });
  }

  throwError(): void {
    throw new Error('Demo failure: the button threw');
  }
}
