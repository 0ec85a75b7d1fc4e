import type { Routes } from '@angular/router';
import { HomePage } from './home-page';
import { OrderPage } from './order-page';

export const routes: Routes = [
  { path: '', component: HomePage, title: 'Home' },
  { path: 'orders/:id', component: OrderPage, title: 'Order' },
  { path: '**', redirectTo: '' },
];
